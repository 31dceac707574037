import Foundation
import LinkageModel
import LinkageScripting
import LuaBridge

/// The console's `:` commands.
extension Console {
    static let commands: [(name: String, help: String)] = [
        (":help", ":help [name]       commands, or the API's help for a name (as help(name))"),
        (":tables", ":tables            the register's tables and their rows"),
        (":schema", ":schema [table]     the SQL of a table (or of all)"),
        (":load", ":load FILE          run a Lua file as one chunk"),
        (":timer", ":timer on|off       time, SQL statements and rows read per chunk"),
        (":begin", ":begin             hold a transaction open across chunks"),
        (":commit", ":commit            commit it"),
        (":rollback", ":rollback          roll it back"),
        (":changes", ":changes           what the open transaction would write, per table"),
        (":mode", ":mode table|box|csv|json|markdown|line   how results are shown"),
        (":once", ":once FILE          the next result goes to FILE"),
        (":quit", ":quit              leave (Ctrl-D too)"),
    ]

    func command(_ line: String) {
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : ""
        switch words[0] {
        case ":help":
            if argument.isEmpty {
                write(Console.commands.map(\.help).joined(separator: "\n") + "\nhelp() lists the Lua API; help(households), help(households.where) explain one part.\n")
            } else {
                runChunk("help(\(argument))")
            }
        case ":tables":
            runCommand("tables")
        case ":schema":
            runCommand("schema", argument.isEmpty ? [] : [.string(argument)])
        case ":load":
            guard !argument.isEmpty else { return usage(":load FILE") }
            guard FileManager.default.isReadableFile(atPath: argument) else { return refuse("cannot open \(argument): no such file, or not readable") }
            runChunk("-- :load \(argument)", run: { [engine] in
                try engine.runFile(argument, arguments: [])
                return nil
            })
        case ":timer":
            guard ["on", "off"].contains(argument) else { return usage(":timer on|off") }
            timer = argument == "on"
        case ":begin":
            guard engine.openSession == nil else { return report(ConsoleError(options.sandbox ? "the sandbox already holds every change in one transaction" : "a transaction is already open; :commit or :rollback it first")) }
            do {
                try engine.beginSession(audit: audit(""))
                transactionChunks = []
                explicitTransaction = true
                note("transaction open: chunks are kept until :commit or :rollback")
            } catch { report(error) }
        case ":commit":
            guard explicitTransaction, !options.sandbox else { return report(ConsoleError(options.sandbox ? "the sandbox is rolled back when you leave; nothing can be committed" : "no transaction is open (:begin opens one)")) }
            do {
                try engine.commitSession()
                note("committed")
            } catch { report(error) }
            explicitTransaction = false
        case ":rollback":
            guard explicitTransaction, !options.sandbox else { return report(ConsoleError(options.sandbox ? "the sandbox is rolled back when you leave" : "no transaction is open (:begin opens one)")) }
            engine.rollbackSession()
            explicitTransaction = false
            note("rolled back")
        case ":changes":
            guard let session = engine.openSession else { return note("no transaction is open: each chunk commits when it succeeds") }
            do {
                let text = ChangeReport.text(try session.pendingChanges(), heading: "the open transaction would change:", empty: "the open transaction has changed nothing yet")
                write((options.showPII ? text : Privacy.mask(text)) + "\n")
            } catch { report(error) }
        case ":mode":
            guard let chosen = RenderOptions.Mode(rawValue: argument) else {
                return usage(":mode " + RenderOptions.Mode.allCases.map(\.rawValue).joined(separator: "|"))
            }
            mode = chosen
        case ":once":
            guard !argument.isEmpty else { return usage(":once FILE") }
            onceFile = argument
        case ":quit", ":q", ":exit":
            quitRequested = true
        default:
            refuse("unknown command \(words[0]); :help lists the commands")
        }
    }

    /// Runs a function of Lua/commands.lua as a chunk.
    private func runCommand(_ name: String, _ arguments: [LuaValue] = []) {
        runChunk(":\(name)", run: { [self] in
            if commandFunctions == nil {
                commandFunctions = try engine.loadFunction(String(decoding: PackageResources.commands_lua, as: UTF8.self),
                                                           chunkName: "=(linkage commands)")
            }
            return try engine.evaluate(field: name, of: commandFunctions!, arguments: arguments)
        })
    }

    private func usage(_ text: String) { report(ConsoleError("usage: \(text)")) }

    /// A command that could not be done counts as a failed chunk (the exit code of a piped session).
    private func refuse(_ text: String) {
        failures += 1
        report(ConsoleError(text))
    }

    /// Tab completion: `:` commands, file names after `:load`, else the Lua completer.
    func complete(_ before: String, _ word: String) -> [String]? {
        if before.hasPrefix(":load ") { return nil }
        do {
            if completer == nil {
                let source = String(decoding: PackageResources.complete_lua, as: UTF8.self)
                completer = try engine.loadFunction(source, chunkName: "=(linkage complete)",
                                                    arguments: [.array(Console.commands.map { .string($0.name) }),
                                                                .array(engine.helpKeys.map { .string($0) })])
            }
            let result = try engine.call(completer!, [.string(before), .string(word)])
            switch result.first {
            case .array(let list)?: return list.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            default: return []
            }
        } catch {
            return []
        }
    }
}

/// A mistake at the console's prompt.
struct ConsoleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
