import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// A zip import killed while it unpacks leaves its scratch folder behind; the next import removes
/// it, and leaves alone the scratch folder of an import that is still running.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ZipScratchCLITests {
    static let config = """
        store: {sqlite: ./sb.db}
        timezone: Europe/Moscow
        connectors:
          - name: wa
            kind: whatsapp-export
        """

    /// A WhatsApp export zip whose chat unpacks to about `megabytes` MiB (it compresses to a few hundred KiB).
    /// Written with Python's zipfile (C zlib), streamed: the chat never exists as a file here.
    static func makeZip(_ zip: URL, megabytes: Int) throws {
        let script = """
            import sys, zipfile
            line = b"[15.03.24, 10:02:45] Ivan Petrov: Hello, my order #4512 has not arrived, it was due on Monday\\n"
            block = line * (1048576 // len(line))
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                with z.open("WhatsApp Chat - Ivan Petrov.txt", "w", force_zip64=True) as f:
                    for _ in range(int(sys.argv[2])):
                        f.write(block)
            """
        let (status, output) = TestPostgres.run("/usr/bin/env", ["python3", "-c", script, zip.path, "\(megabytes)"])
        try #require(status == 0, "\(output)")
    }

    /// The names of the scratch folders in `dir`.
    static func scratchFolders(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix(ScratchFolder.prefix) }.sorted()
    }

    static func size(_ file: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int) ?? 0
    }

    @Test func aKilledImportsScratchFolderIsRemovedByTheNextImportButARunningOnesIsNot() async throws {
        let ws = try Workspace(config: Self.config)
        let tmp = ws.url("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let env = ["TMPDIR": tmp.path + "/"]
        let megabytes = 128
        try Self.makeZip(ws.url("big.zip"), megabytes: megabytes)

        // An import that is running all along (this process) holds a scratch folder of its own.
        let running = try ScratchFolder(in: tmp)
        defer { running.remove() }

        // Kill the import while the chat is being unpacked into its scratch folder.
        let (importing, _, _) = try CLI.start(["import", "wa", "big.zip", "--quiet"], cwd: ws.dir, env: env)
        var chat: URL?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, importing.isRunning {
            if let folder = Self.scratchFolders(in: tmp).first(where: { $0 != running.url.lastPathComponent }) {
                let file = tmp.appendingPathComponent(folder).appendingPathComponent("chat.txt")
                if Self.size(file) > 0 { chat = file; break }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(importing.processIdentifier, SIGKILL)
        importing.waitUntilExit()
        let partial = try #require(chat, "the import never started unpacking")
        #expect(Self.size(partial) < megabytes << 20, "the kill came after the whole chat was unpacked")
        let killed = partial.deletingLastPathComponent()
        #expect(FileManager.default.fileExists(atPath: killed.path))
        #expect(FileManager.default.fileExists(atPath: killed.appendingPathComponent("owner.lock").path))
        #expect(Set(Self.scratchFolders(in: tmp)) == [killed.lastPathComponent, running.url.lastPathComponent])

        // The next import of a small export.
        try Self.makeZip(ws.url("small.zip"), megabytes: 1)
        let next = try ws.run(["import", "wa", "small.zip", "--quiet"], env: env)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(!FileManager.default.fileExists(atPath: killed.path), "the killed import's scratch folder is still there")
        #expect(FileManager.default.fileExists(atPath: running.url.path), "a running import's scratch folder was removed")
        #expect(Self.scratchFolders(in: tmp) == [running.url.lastPathComponent])
    }

    @Test func onlyFoldersWhoseOwnerIsGoneAreStale() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sb-scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        // A pid that ran and is gone: a child that has exited and been waited for.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = tmp.appendingPathComponent("\(ScratchFolder.prefix)\(child.processIdentifier)-A")
        // A live pid whose folder is not locked yet: a moment after it was made.
        let justMade = tmp.appendingPathComponent("\(ScratchFolder.prefix)\(getppid())-B")
        let unrelated = tmp.appendingPathComponent("switchboard-pg-55441")
        for folder in [dead, justMade, unrelated] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        #expect(ScratchFolder.removeStale(in: tmp).map(\.lastPathComponent) == [dead.lastPathComponent])
        #expect(ScratchFolder.removeStale(in: tmp, now: Date().addingTimeInterval(ScratchFolder.grace + 5)).map(\.lastPathComponent)
                == [justMade.lastPathComponent])
        #expect(FileManager.default.fileExists(atPath: unrelated.path))
    }
}
