@preconcurrency import Glibc
import Foundation
import GRDBSQLite
import LinkageModel
import LinkageScripting
import LuaBridge

/// How a console session is set up.
public struct ConsoleOptions {
    /// Everything is rolled back at exit (and the banner says so).
    public var sandbox = false
    public var readOnly = false
    public var showPII = false
    /// A terminal: prompts, line editing, history, colour. Else chunks are read plainly from stdin.
    public var interactive = Terminal.isInteractive
    public var color = Terminal.usesColor
    public var historyPath = EditLineInput.defaultHistoryPath
    /// Who the audit log names for each committed chunk.
    public var osUser = "unknown"

    public init() {}
}

/// The interactive console: reads chunks (an expression prints its value, a statement runs, an
/// incomplete chunk asks for more), runs each as its own transaction unless `:begin` is open, and
/// shows results with the same renderer as `linkage -e`.
public final class Console {
    let engine: ScriptEngine
    var options: ConsoleOptions
    private var input: LineInput!
    /// `:mode` and the rest of how results are shown.
    var mode = RenderOptions.Mode.table
    /// `:once FILE`: the next result goes to this file.
    var onceFile: String?
    var timer = false
    /// An explicit `:begin` is open (or the sandbox's session).
    var explicitTransaction = false
    /// The chunks of the open explicit transaction, for its audit record.
    var transactionChunks: [String] = []
    /// Whether any chunk failed (the exit code when reading a pipe).
    var failures = 0
    var quitRequested = false
    /// The Lua completer (Lua/complete.lua), loaded at the first Tab.
    var completer: LuaReference?
    /// The functions of Lua/commands.lua (:tables, :schema), loaded at first use.
    var commandFunctions: LuaReference?

    public init(engine: ScriptEngine, options: ConsoleOptions) {
        self.engine = engine
        self.options = options
    }

    /// Runs until `:quit`, Ctrl-D or the end of input; returns the exit code.
    public func run() -> Int32 {
        input = options.interactive
            ? EditLineInput(historyPath: options.historyPath, interrupted: { [unowned self] in
                guard self.engine.lua.checkLimits() == .interrupted else { return false }
                self.engine.lua.resetLimits()
                return true
            }, complete: { [unowned self] before, word in self.complete(before, word) })
            : PlainInput()
        if options.interactive { banner() }
        if options.sandbox {
            do {
                try engine.beginSession(audit: nil, dryRun: true)
                explicitTransaction = true
            } catch { report(error) ; return 2 }
        }
        var buffer = ""
        while !quitRequested {
            let prompt = buffer.isEmpty ? "linkage> " : "    ...> "
            guard let line = input.read(prompt: options.interactive ? prompt : "") else { break }
            if input.lineWasInterrupted {
                // Ctrl-C at the prompt cleared the line, as in a shell, and a pending chunk too.
                buffer = ""
                continue
            }
            if buffer.isEmpty, line.trimmingCharacters(in: .whitespaces).hasPrefix(":") {
                input.remember(line)
                command(line.trimmingCharacters(in: .whitespaces))
                continue
            }
            buffer += buffer.isEmpty ? line : "\n" + line
            if buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { buffer = ""; continue }
            if engine.isIncomplete(buffer) { continue }
            input.remember(buffer)
            runChunk(buffer)
            buffer = ""
        }
        if !buffer.isEmpty { runChunk(buffer) } // a last chunk left incomplete: its error says why
        finish()
        input.save()
        if options.interactive { write("\n") }
        return failures > 0 && !options.interactive ? 1 : 0
    }

    private func banner() {
        var text = "linkage console — Lua 5.4 on the register. :help for commands, help() for the API, Ctrl-D to leave."
        if options.sandbox { text += "\nsandbox: everything is rolled back when you leave." }
        if options.readOnly { text += "\nread-only: every write is refused." }
        write(text + "\n")
    }

    /// Leaves: the sandbox and an open :begin are rolled back, and say so.
    private func finish() {
        guard engine.openSession != nil else { return }
        engine.rollbackSession()
        explicitTransaction = false
        note(options.sandbox ? "sandbox: everything was rolled back" : "the open transaction (:begin) was rolled back")
    }

    // MARK: chunks

    /// Runs one chunk: in its own transaction, or as a savepoint of the open one, so that a chunk
    /// that fails undoes only its own work.
    func runChunk(_ code: String, chunkName: String = "=stdin", arguments: [LuaValue] = [], run: (() throws -> ChunkValues?)? = nil) {
        engine.lua.resetLimits() // a fresh clock and budget, Ctrl-C re-armed
        let started = Date()
        let counter = timer ? StatementCounter(engine.connection) : nil
        let ownTransaction = engine.openSession == nil
        do {
            if ownTransaction {
                try engine.beginSession(audit: audit(code))
            } else {
                transactionChunks.append(code)
                engine.openSession?.audit = audit(transactionChunks.joined(separator: "\n"))
            }
            let text: String? = try engine.chunk {
                let values = try run.map { try $0() } ?? engine.evaluate(code, chunkName: chunkName, arguments: arguments)
                guard let values, values.count > 0 else { return nil }
                return try engine.show(values, RenderOptions(width: Terminal.width ?? 100, mode: mode, color: options.color))
            }
            if ownTransaction { try engine.commitSession() }
            if let text { output(text) }
        } catch {
            if ownTransaction { engine.rollbackSession() }
            failures += 1
            report(error)
        }
        engine.lua.resetLimits() // Ctrl-C re-armed for the prompt, a stop cleared
        if let counter {
            note(String(format: "%.3f s, %d statement%@, %d row%@ read", Date().timeIntervalSince(started),
                        counter.statements, counter.statements == 1 ? "" : "s", counter.rows, counter.rows == 1 ? "" : "s"))
            counter.stop()
        }
    }

    func audit(_ code: String) -> AuditSource? {
        options.readOnly ? nil : AuditSource(osUser: options.osUser, source: "repl", sha256: nil, command: code)
    }

    // MARK: output

    func output(_ text: String) {
        let shown = options.showPII ? text : Privacy.mask(text)
        if let file = onceFile {
            onceFile = nil
            do {
                try (shown + "\n").write(toFile: file, atomically: true, encoding: .utf8)
                note("written to \(file)")
            } catch {
                report(error)
            }
            return
        }
        write(shown + "\n")
    }

    func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// A remark of the console's own, on stderr so that piped results stay clean.
    func note(_ text: String) {
        fputs((options.color ? "\u{1B}[2m" + text + "\u{1B}[0m" : text) + "\n", stderr)
    }

    func report(_ error: Error) {
        var text: String
        if let e = error as? LuaScriptError {
            text = e.stopReason.map { "\($0.message); the chunk was rolled back" } ?? e.description
        } else if let failure = DatabaseFailure.from(error, readOnlySession: options.readOnly) {
            text = failure.message // SQLite's error in linkage's words, not GRDB's description
        } else {
            text = (error as? CustomStringConvertible)?.description ?? "\(error)"
        }
        if !options.showPII { text = Privacy.mask(text) }
        fflush(stdout)
        fputs((options.color ? "\u{1B}[31m" + text + "\u{1B}[0m" : text) + "\n", stderr)
    }
}

/// Counts the statements run and rows returned while `:timer` is on (SQLite's trace hook).
final class StatementCounter {
    private let connection: OpaquePointer
    var statements = 0
    var rows = 0

    init(_ connection: OpaquePointer) {
        self.connection = connection
        sqlite3_trace_v2(connection, UInt32(SQLITE_TRACE_STMT | SQLITE_TRACE_ROW), { kind, context, _, x in
            let counter = Unmanaged<StatementCounter>.fromOpaque(context!).takeUnretainedValue()
            if kind == UInt32(SQLITE_TRACE_ROW) { counter.rows += 1; return 0 }
            // The chunk's own statements: not the session's BEGIN, savepoints and COMMIT, nor the
            // statements of triggers ("-- TRIGGER …").
            let text = x.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? ""
            let first = text.prefix { $0.isLetter || $0 == "-" }.uppercased()
            if !["BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK", "--"].contains(first) { counter.statements += 1 }
            return 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    func stop() { sqlite3_trace_v2(connection, 0, nil, nil) }
}
