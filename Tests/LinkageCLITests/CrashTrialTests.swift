import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A small seeded generator (SplitMix64): the same seed gives the same trials, so a failure printed
/// with its seed can be replayed with LINKAGE_TRIAL_SEED.
struct TrialRNG: RandomNumberGenerator {
    private(set) var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How long the safety trials run: a short default for every build, the issue's counts with
/// LINKAGE_LONG_TESTS=1, and the seed from LINKAGE_TRIAL_SEED to replay a failure.
enum TrialSettings {
    static var long: Bool { ProcessInfo.processInfo.environment["LINKAGE_LONG_TESTS"] == "1" }
    static func seed(default value: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["LINKAGE_TRIAL_SEED"].flatMap { UInt64($0) } ?? value
    }
}

/// Issue 7: a writer killed with SIGKILL at any moment leaves the register intact and its run all
/// or nothing — every row changed and every audit entry written, or none of either. Each writer
/// adds 1 to `members` of every household of a sample register, in one run; the checks compare
/// each trial's file with the untouched original through the sqlite3 shell.
final class CrashTrialTests: LinkageCLITestCase {
    private static let households = 3000
    private var trials: Int { TrialSettings.long ? 50 : 5 }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let made = try linkage("sample", "--db", "base.db", "--scale", "\(Self.households)", "--seed", "7")
        XCTAssertEqual(made.exitCode, 0, "\(made)")
        // Everything in the main file, so that copying base.db alone copies the register.
        XCTAssertEqual(try sqlite3("base.db", "PRAGMA wal_checkpoint(TRUNCATE);").hasPrefix("0|"), true)
    }

    func testKilledBulkExecUpdateIsAllOrNothing() throws {
        try killTrials("bulk db.exec", seed: 0x5EED_0001,
                       ["-e", "db.exec('UPDATE household SET members = members + 1')"])
    }

    func testKilledLuaLoopOfRecordUpdatesIsAllOrNothing() throws {
        try killTrials("Lua loop of households:get(i):update", seed: 0x5EED_0002, ["-e", """
            for i = 1, \(Self.households) do local h = households:get(i) h:update{ members = h.members + 1 } end
            """])
    }

    func testKilledImportUpdateIsAllOrNothing() throws {
        try write("h.csv", try editedExport())
        try killTrials("import households --update", seed: 0x5EED_0003, ["import", "households", "h.csv", "--update"])
    }

    // MARK: - The trials

    /// Runs the writer once to the end to learn its duration (and that the checks see "all"), then
    /// `trials` times on fresh copies, each killed after a seeded delay spread over that duration.
    private func killTrials(_ name: String, seed defaultSeed: UInt64, _ writer: [String],
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let seed = TrialSettings.seed(default: defaultSeed)
        var rng = TrialRNG(seed: seed)
        let started = Date()

        try fresh("whole.db")
        let t0 = Date()
        let whole = try LinkageProcess.run(["--db", "whole.db"] + writer, in: directory)
        let duration = Date().timeIntervalSince(t0)
        XCTAssertEqual(whole.exitCode, 0, "\(name) did not run to the end:\n\(whole)", file: file, line: line)
        XCTAssertEqual(try outcome(of: "whole.db"), .all, "\(name) run to the end", file: file, line: line)

        var kills = 0, outcomes: [Outcome: Int] = [:]
        for trial in 0..<trials {
            // Spread over the whole run; every fifth trial in its last tenth, where it commits.
            let delay = Double.random(in: (trial % 5 == 4 ? 0.9 * duration : 0)...duration, using: &rng)
            let db = "trial\(trial).db"
            try fresh(db)
            let process = try spawn(["--db", db] + writer)
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let replay = "\(name), trial \(trial) of seed \(seed) (LINKAGE_TRIAL_SEED=\(seed)), killed after \(String(format: "%.3f", delay)) s of \(String(format: "%.3f", duration)) s"
            XCTAssertEqual(try sqlite3(db, "PRAGMA integrity_check;"), "ok\n", replay, file: file, line: line)
            let found = try outcome(of: db)
            XCTAssertTrue(found == .all || found == .none, "\(replay): \(found)", file: file, line: line)
            outcomes[found, default: 0] += 1
            // The register still opens and takes a write after the crash.
            let after = try LinkageProcess.run(["--db", db, "-e", "households:get(1):update{ income = 1 } return households:count()"], in: directory)
            XCTAssertEqual(after.exitCode, 0, "\(replay): the register no longer takes a write:\n\(after)", file: file, line: line)
            XCTAssertEqual(after.stdout, "\(Self.households)\n", replay, file: file, line: line)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(at: path(db + suffix)) }
        }
        print("crash trials: \(name): \(trials) trials, \(kills) killed mid-run, outcomes \(outcomes.map { "\($0.key)=\($0.value)" }.sorted()), run \(String(format: "%.2f", duration)) s, seed \(seed), \(String(format: "%.1f", Date().timeIntervalSince(started))) s in all")
    }

    private enum Outcome: CustomStringConvertible, Hashable {
        case none, all
        case partial(changed: Int, unchanged: Int, auditEntries: Int, sessions: Int, openSessions: Int)
        var description: String {
            switch self {
            case .none: return "none"
            case .all: return "all"
            case let .partial(c, u, a, s, o):
                return "partial: \(c) rows changed, \(u) unchanged, \(a) audit entries, \(s) new sessions, \(o) open sessions"
            }
        }
    }

    /// What the run left in `db`, compared with base.db row by row and in the audit log.
    private func outcome(of db: String) throws -> Outcome {
        let row = try sqlite3(db, """
            ATTACH 'base.db' AS b;
            SELECT (SELECT count(*) FROM household h JOIN b.household o USING (id) WHERE h.members = o.members + 1),
                   (SELECT count(*) FROM household h JOIN b.household o USING (id) WHERE h.members = o.members),
                   (SELECT count(*) FROM audit_change WHERE id > (SELECT coalesce(max(id), 0) FROM b.audit_change)),
                   (SELECT count(*) FROM audit_session WHERE id > (SELECT coalesce(max(id), 0) FROM b.audit_session)),
                   (SELECT count(*) FROM audit_session WHERE closed_at IS NULL);
            """).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map { Int($0) ?? -1 }
        guard row.count == 5 else { return .partial(changed: -1, unchanged: -1, auditEntries: -1, sessions: -1, openSessions: -1) }
        let n = Self.households
        if row == [0, n, 0, 0, 0] { return .none }
        if row == [n, 0, n, 1, 0] { return .all }
        return .partial(changed: row[0], unchanged: row[1], auditEntries: row[2], sessions: row[3], openSessions: row[4])
    }

    private func fresh(_ db: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(at: path(db + suffix)) }
        try FileManager.default.copyItem(at: path("base.db"), to: path(db))
    }

    /// Starts linkage without waiting for it; its output goes nowhere.
    private func spawn(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try LinkageProcess.binary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = LinkageProcess.cleanEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `linkage export household --show-pii` with every household's 家庭人口 one more, in the form
    /// `import households` reads back: the village by code in place of the export's ids.
    private func editedExport() throws -> String {
        let exported = try linkage("--db", "base.db", "export", "household", "-o", "export.csv", "--show-pii")
        XCTAssertEqual(exported.exitCode, 0, "\(exported)")
        var villageCode: [String: String] = [:]
        for pair in try sqlite3("base.db", "SELECT id || ',' || code FROM village;").split(whereSeparator: \.isNewline) {
            let parts = pair.split(separator: ",").map(String.init)
            villageCode[parts[0]] = parts[1]
        }
        let lines = String(decoding: try bytes("export.csv"), as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        // The sample writes no quoted cells (checked), so splitting on commas is exact.
        XCTAssertFalse(lines.contains { $0.contains("\"") }, "the export has quoted cells; this edit would need a CSV reader")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let members = header.firstIndex(of: "members"), let village = header.firstIndex(of: "village_id"),
              let id = header.firstIndex(of: "id") else {
            XCTFail("unexpected export header: \(header)")
            return ""
        }
        var out = [(["village"] + header.enumerated().filter { $0.offset != id && $0.offset != village }.map(\.element)).joined(separator: ",")]
        for line in lines.dropFirst() {
            var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[members] = String(Int(cells[members])! + 1)
            let code = villageCode[cells[village]] ?? "?"
            out.append(([code] + cells.enumerated().filter { $0.offset != id && $0.offset != village }.map(\.element)).joined(separator: ","))
        }
        XCTAssertEqual(out.count, Self.households + 1)
        return out.joined(separator: "\n") + "\n"
    }
}
