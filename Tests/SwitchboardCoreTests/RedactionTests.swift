import Foundation
import SwitchboardCore
import Testing

@Suite struct RedactionTests {
    @Test(arguments: [
        ("postgres://app:s3cret@db:5432/main", "postgres://app:***@db:5432/main"),
        ("postgres://app:a/b?c#d@e f@db:5432/main?sslmode=disable", "postgres://app:***@db:5432/main?sslmode=disable"),
        ("postgres://app:a%2Fb%3Fc%23d%40e%20f@db/main", "postgres://app:***@db/main"),
        ("postgresql://app:p@ss@word@db/main", "postgresql://app:***@db/main"),
        ("imaps://anna:pa ss@mail.example.com:993", "imaps://anna:***@mail.example.com:993"),
        ("postgres://app:@db/main", "postgres://app:***@db/main"),
        ("postgres://app@db/main", "postgres://app@db/main"),
        ("postgres://db:5432/main", "postgres://db:5432/main"),
        ("not a url: x@y", "not a url: x@y"),
    ])
    func aURLPasswordIsHiddenWhateverItHolds(url: String, shown: String) {
        #expect(Redaction.url(url) == shown)
    }

    @Test func passwordFormsAreTheWrittenAndTheDecodedOne() {
        #expect(Redaction.passwordForms(in: "postgres://app:a%2Fb%20c@db/main") == ["a%2Fb%20c", "a/b c"])
        #expect(Redaction.passwordForms(in: "postgres://app:a/b?c@db/main") == ["a/b?c"])
        #expect(Redaction.passwordForms(in: "postgres://app@db/main").isEmpty)
    }

    @Test func freeTextHidesSecretsAndTheURLsInIt() {
        let text = #"cannot open 'postgres://app:a/b?c#d@db:5432/main': refused; also "imaps://u:pw@mail", token tok-9876, pw=a/b c#d, ok"#
        let shown = Redaction.text(text, secrets: ["tok-9876", "a/b c#d", "ab"])
        #expect(shown == #"cannot open 'postgres://app:***@db:5432/main': refused; also "imaps://u:***@mail", token ***, pw=***, ok"#)
        #expect(Redaction.text("nothing secret here: x@y, http://example.com/a") == "nothing secret here: x@y, http://example.com/a")
    }

    /// A password with a space cut a URL short in free text; the URL's password forms, given as secrets, still hide it.
    @Test func aPasswordWithASpaceIsHiddenThroughItsForms() {
        let url = "postgres://app:left half@db/main"
        let shown = Redaction.text("store \(url) is down", secrets: Redaction.passwordForms(in: url))
        #expect(!shown.contains("left") && !shown.contains("half"), "\(shown)")
    }
}
