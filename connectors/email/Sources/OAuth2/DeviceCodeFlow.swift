import Foundation
import SwitchboardCore

/// The device authorization grant (RFC 8628), Microsoft's way for a program without a browser:
/// the user opens a page anywhere and types a code; Switchboard polls the token endpoint at the
/// interval the provider asks for, slowing down when told, until sign-in completes, the code
/// expires or the user's time (`--timeout`) runs out.
struct DeviceCodeFlow {
    let endpoint: TokenEndpoint
    let deviceURL: String
    let prompt: AuthorizationPrompt

    var source: String { endpoint.source }

    func run() async throws -> TokenEndpoint.Grant {
        let provider = endpoint.provider
        var form = [("client_id", provider.clientID)]
        if let scope = provider.scope { form.append(("scope", scope)) }
        let answer = try FormPost.send(deviceURL, form: form, timeout: endpoint.timeout, what: "\(source): starting the device sign-in")
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        if let code = object?["error"] as? String {
            throw endpoint.message(for: .init(status: answer.status, code: code, description: object?["error_description"] as? String),
                                   what: "starting the device sign-in")
        }
        guard answer.status == 200, let object, let deviceCode = object["device_code"] as? String,
              let userCode = object["user_code"] as? String,
              let verification = (object["verification_uri"] ?? object["verification_url"]) as? String else {
            throw ConnectorError(.authentication, "\(source): the device authorization endpoint \(Redaction.url(deviceURL)) answered HTTP \(answer.status) without a device code")
        }
        var interval = max(1, Self.number(object["interval"]) ?? 5)
        let expiresIn = Self.number(object["expires_in"]) ?? 900
        // The user's time decides; a code that expires sooner is reported by the provider (expired_token).
        let deadline = Date().addingTimeInterval(prompt.timeout)
        prompt.say("To sign in, open \(verification) in a browser and enter the code \(userCode)")
        prompt.say("Waiting up to \(Int(min(prompt.timeout, expiresIn).rounded())) s for the sign-in to complete…")
        while true {
            let wake = Date().addingTimeInterval(interval)
            if wake > deadline {
                try await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
                throw timedOut(verification)
            }
            try await Task.sleep(for: .seconds(interval))
            do {
                let poll = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode)]
                return try await Task.detached { [endpoint] in try endpoint.exchange(poll, what: "completing the device sign-in") }.value
            } catch let a as TokenEndpoint.ErrorAnswer {
                switch a.code {
                case "authorization_pending": continue
                case "slow_down": interval += 5   // RFC 8628 §3.5: for this and every later poll
                case "expired_token":
                    throw ConnectorError(.authentication, "\(source): the code \(userCode) expired before the sign-in was completed: run `switchboard auth \(source)` again and finish it within \(Int(expiresIn)) s")
                case "access_denied", "authorization_declined":
                    throw ConnectorError(.authentication, "\(source): the sign-in was declined at \(verification); run `switchboard auth \(source)` again and accept the requested access")
                default:
                    throw endpoint.message(for: a, what: "completing the device sign-in")
                }
            }
        }
    }

    private func timedOut(_ verification: String) -> ConnectorError {
        ConnectorError(.authentication, "\(source): nobody completed the sign-in at \(verification) within \(Int(prompt.timeout.rounded())) s; "
            + "run `switchboard auth \(source)` again (allow more time with --timeout)")
    }

    static func number(_ v: Any?) -> Double? {
        (v as? NSNumber)?.doubleValue ?? (v as? String).flatMap(Double.init)
    }
}
