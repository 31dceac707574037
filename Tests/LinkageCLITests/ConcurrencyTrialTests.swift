import Foundation
import XCTest

/// Issue 7: many linkage processes at once on one register, over a seeded schedule. Writers add 1
/// to household 1's members (a counter) or move 1 of income from household 2 to household 3 (their
/// sum stays constant), each in its own run; readers check, in one snapshot, that the sum is intact
/// and that the counter and its audit entries agree. At the end no successful write is lost: the
/// counter went up once per successful increment, the pair moved once per successful move, and the
/// audit log has one entry per row each wrote. A writer may fail only by saying that another
/// process holds the write lock (or that the register is busy), and is then not counted.
final class ConcurrencyTrialTests: SmallRegisterTestCase {
    private static let concurrency = 4

    private enum Job: Sendable, CustomStringConvertible {
        case increment, move, reader, readOnlyReader
        var description: String {
            switch self {
            case .increment: return "increment"
            case .move: return "move"
            case .reader: return "reader"
            case .readOnlyReader: return "read-only reader"
            }
        }
    }

    private struct Base: Sendable {
        let counter: Int, income2: Double, income3: Double, auditID: Int
    }

    /// What the processes did, collected from several threads.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var increments = 0, moves = 0, reads = 0, refused = 0
        private(set) var problems: [String] = []
        func add(_ job: Job, succeeded: Bool) {
            lock.withLock {
                guard succeeded else { refused += 1; return }
                switch job {
                case .increment: increments += 1
                case .move: moves += 1
                case .reader, .readOnlyReader: reads += 1
                }
            }
        }
        func problem(_ text: String) { lock.withLock { problems.append(text) } }
    }

    func testInterleavedWritersLoseNothingAndReadersSeeNoBrokenInvariant() throws {
        let runs = TrialSettings.long ? 1000 : 200
        let seed = TrialSettings.seed(default: 0xC0FF_EE07)
        var rng = TrialRNG(seed: seed)
        let kinds: [Job] = [.increment, .increment, .move, .move, .reader, .readOnlyReader]
        let schedule: [(Job, Double)] = (0..<runs).map { _ in
            (kinds.randomElement(using: &rng)!, Double.random(in: 0...0.02, using: &rng))
        }
        let base = try baseline()
        let directory = directory!
        let tally = Tally()
        let started = Date()

        DispatchQueue.concurrentPerform(iterations: Self.concurrency) { worker in
            for index in stride(from: worker, to: runs, by: Self.concurrency) {
                let (job, pause) = schedule[index]
                Thread.sleep(forTimeInterval: pause)
                Self.perform(job, index: index, base: base, in: directory, tally: tally)
            }
        }
        let elapsed = Date().timeIntervalSince(started)

        let replay = "seed \(seed) (LINKAGE_TRIAL_SEED=\(seed)), \(runs) runs"
        XCTAssertEqual(tally.problems, [], replay)
        let final = try evaluate("""
            local h1, h2, h3 = households:get(1), households:get(2), households:get(3)
            return h1.members, h2.income, h3.income,
              db.value("SELECT count(*) FROM audit_change WHERE id > ? AND row_id = 1 AND table_name = 'household'", \(base.auditID)),
              db.value("SELECT count(*) FROM audit_change WHERE id > ? AND row_id IN (2, 3) AND table_name = 'household'", \(base.auditID))
            """).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t").map { Double($0) ?? .nan }
        XCTAssertEqual(final, [Double(base.counter + tally.increments), base.income2 - Double(tally.moves),
                               base.income3 + Double(tally.moves), Double(tally.increments), Double(2 * tally.moves)],
                       "\(replay): \(tally.increments) increments and \(tally.moves) moves succeeded")
        XCTAssertEqual(try sqlite3("test.db", "PRAGMA integrity_check;"), "ok\n")
        XCTAssertEqual(try sqlite3("test.db", "SELECT count(*) FROM audit_session WHERE closed_at IS NULL;"), "0\n", "a run left its audit session open")
        XCTAssertEqual(tally.increments + tally.moves + tally.reads + tally.refused, runs)
        print("concurrency trials: \(runs) runs in \(Self.concurrency) processes at once, \(tally.increments) increments, \(tally.moves) moves, \(tally.reads) reads, \(tally.refused) refused as busy or in conflict (exit 75), seed \(seed), \(String(format: "%.1f", elapsed)) s")
    }

    /// A writer that cannot get the write lock within linkage's busy timeout (5 s) fails, says that
    /// another process holds the lock, exits non-zero and changes nothing.
    func testAWriterThatCannotGetTheLockSaysSoAndChangesNothing() throws {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = ["-batch", path("test.db").path]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") { seen += output.fileHandleForReading.availableData }

        let before = try bytes("test.db")
        let started = Date()
        let r = try linkage("--db", "test.db", "-e", "local h = households:get(1) h:update{ members = h.members + 1 }")
        let waited = Date().timeIntervalSince(started)
        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()

        XCTAssertEqual(r.exitCode, 75, "\(r)")
        XCTAssertTrue(r.stderr.contains("another process holds the register's write lock"), r.stderr)
        XCTAssertGreaterThan(waited, 4.5, "linkage waits its busy timeout before giving up")
        XCTAssertEqual(try bytes("test.db"), before)
        XCTAssertEqual(try evaluate("return households:get(1).members"), "2\n")
    }

    // MARK: - The processes

    private func baseline() throws -> Base {
        let v = try sqlite3("test.db", """
            SELECT (SELECT members FROM household WHERE id = 1), (SELECT income FROM household WHERE id = 2),
                   (SELECT income FROM household WHERE id = 3), (SELECT coalesce(max(id), 0) FROM audit_change);
            """).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map { Double($0)! }
        return Base(counter: Int(v[0]), income2: v[1], income3: v[2], auditID: Int(v[3]))
    }

    private static func code(for job: Job, base: Base) -> String {
        switch job {
        case .increment:
            return "local h = households:get(1) h:update{ members = h.members + 1 }"
        case .move:
            // A little work between the two halves widens the window a reader could see.
            return """
                local a = households:get(2) a:update{ income = a.income - 1 }
                local x = 0 for i = 1, 20000 do x = x + i end
                local b = households:get(3) b:update{ income = b.income + 1 }
                """
        case .reader, .readOnlyReader:
            return """
                local sum = households:get(2).income + households:get(3).income
                if sum ~= \(base.income2 + base.income3) then error('broken invariant: income 2 + 3 = ' .. sum) end
                local counter = households:get(1).members
                local audited = db.value("SELECT count(*) FROM audit_change WHERE id > ? AND row_id = 1 AND table_name = 'household'", \(base.auditID))
                if counter - \(base.counter) ~= audited then error('counter ' .. counter .. ' but ' .. audited .. ' audit entries') end
                return 'ok'
                """
        }
    }

    private static func perform(_ job: Job, index: Int, base: Base, in directory: URL, tally: Tally) {
        let flags = job == .readOnlyReader ? ["--read-only"] : []
        let result: ProcessResult
        do {
            result = try LinkageProcess.run(["--db", "test.db"] + flags + ["-e", code(for: job, base: base)], in: directory, timeout: 60)
        } catch {
            tally.problem("run \(index) (\(job)): \(error)")
            return
        }
        if result.exitCode == 0 {
            if job == .reader || job == .readOnlyReader, result.stdout != "ok\n" {
                tally.problem("run \(index) (\(job)) printed \(result.stdout)")
            }
            tally.add(job, succeeded: true)
        } else if result.exitCode == 75 {
            // Another process held the lock past the busy timeout, or committed after this run began
            // reading (snapshot isolation): refused whole, with EX_TEMPFAIL, to be run again.
            XCTAssertTrue(result.stderr.contains("another process"), result.stderr)
            tally.add(job, succeeded: false)
        } else {
            tally.problem("run \(index) (\(job)) failed:\n\(result)")
        }
    }
}
