import Foundation
import Testing

/// `make demo` installs only what building and running the demo needs; `make test` (through `test-deps`) the rest.
/// Runs the real Makefile with `dpkg` reporting every package missing and `apt-get`, `sudo` and `swift` replaced by
/// scripts that record their arguments, so nothing is installed or built.
@Suite struct MakeTargetsTests {
    /// The packages `make TARGET` asks apt to install on a machine that has none of them.
    private func packagesInstalled(by target: String) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("make-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("calls.log")
        let stubs = [
            "dpkg": "exit 1",
            "apt-get": "echo \"apt-get $*\" >> '\(log.path)'",
            "sudo": "exec \"$@\"",
            "swift": "exit 0",
        ]
        for (name, body) in stubs {
            let url = dir.appendingPathComponent(name)
            try "#!/bin/sh\n\(body)\n".write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["make", "-s", "-C", CLI.packageRoot.path, target, "SWIFT=\(dir.appendingPathComponent("swift").path)"]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = dir.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let calls = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return calls.split(separator: "\n").filter { $0.contains(" install ") }
            .flatMap { $0.split(separator: " ").drop { $0 != "-qq" }.dropFirst().map(String.init) }
    }

    @Test func demoInstallsOnlyTheBuildLibraries() throws {
        let installed = try packagesInstalled(by: "demo")
        #expect(Set(installed) == ["libsqlite3-dev", "libcurl4-openssl-dev"])
    }

    @Test func testDepsInstallTheRealServersTheTestsStart() throws {
        let installed = Set(try packagesInstalled(by: "test-deps"))
        for needed in ["libsqlite3-dev", "libcurl4-openssl-dev", "dovecot-imapd", "postgresql", "chromium", "isync"] {
            #expect(installed.contains(needed), "make test-deps does not install \(needed)")
        }
    }
}
