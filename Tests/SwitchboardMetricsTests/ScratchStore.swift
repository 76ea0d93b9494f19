import Foundation
import SwitchboardCore
import SwitchboardScan
import SwitchboardStore
import SwitchboardTesting
import Testing

/// A fresh store of `kind` (`sqlite`: in its own temporary folder; `postgres`: a new database on the test
/// server, the test cancelled without one) and what removes it afterwards.
func scratchStore(_ kind: String, _ prefix: String) async throws -> (store: any MetricsStore, cleanup: () -> Void) {
    if kind == "sqlite" {
        let (sqlite, dir) = try scratchSQLite(prefix)
        return (sqlite, { try? FileManager.default.removeItem(at: dir) })
    }
    guard TestPostgres.serverURL != nil else { try Test.cancel(Comment(rawValue: TestPostgres.skipMessage)) }
    let url = try await TestPostgres.offPool { try TestPostgres.createDatabase() }
    let pg = try await PostgresStore.open(url: url)
    return (pg, { pg.close() })
}
