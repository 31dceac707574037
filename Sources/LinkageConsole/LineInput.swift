@preconcurrency import CEdit
import Foundation
@preconcurrency import Glibc

/// Where the console's lines come from.
protocol LineInput: AnyObject {
    /// The next line, or nil at the end of input.
    func read(prompt: String) -> String?
    /// Whether Ctrl-C ended the last line read (it is then to be dropped, with any pending chunk).
    var lineWasInterrupted: Bool { get }
    /// Remembers a chunk for the history.
    func remember(_ chunk: String)
    /// Writes the history out (on exit, also after Ctrl-D).
    func save()
}

/// Standard input that is not a terminal (`linkage < checks.lua`, a pipe): no prompts, no history.
final class PlainInput: LineInput {
    var lineWasInterrupted: Bool { false }
    func read(prompt: String) -> String? { Swift.readLine(strippingNewline: true) }
    func remember(_ chunk: String) {}
    func save() {}
}

/// A terminal: libedit's line editing, reverse search (Ctrl-R), tab completion and a history kept
/// across sessions, limited in size.
final class EditLineInput: LineInput {
    static let historySize: Int32 = 1000
    private let historyPath: String

    /// `complete(before, word)` gives the candidates that replace `word`.
    /// `interrupted()` tells whether Ctrl-C came while waiting at the prompt (and clears it).
    init(historyPath: String, interrupted: @escaping () -> Bool, complete: @escaping (String, String) -> [String]?) {
        self.historyPath = historyPath
        // libedit reads multibyte characters only in a UTF-8 locale: the register is Chinese text.
        if let current = setlocale(LC_CTYPE, ""), String(cString: current).uppercased().contains("UTF-8") {} else {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        try? FileManager.default.createDirectory(atPath: (historyPath as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        rl_readline_name = UnsafePointer(strdup("linkage"))
        // Set before libedit initialises (the first history call does), or it keeps its defaults.
        // libedit's own signal handlers would stand between Ctrl-C and linkage's (which stops a
        // running chunk, and clears the line at the prompt through rl_getc_function below).
        rl_catch_signals = 0
        // Ctrl-C at the prompt clears the line: the SIGINT handler only sets a flag (it must stay
        // async-signal-safe), so keys are read here, where poll returns on the signal.
        rl_getc_function = { file in
            let fd = file.map { fileno($0) } ?? STDIN_FILENO
            while true {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                // A Ctrl-C that came just before the prompt (between a chunk and the editor) counts too.
                let ready = Completion.interrupted?() == true ? -2 : poll(&p, 1, -1)
                if ready == -2 || (ready < 0 && errno == EINTR) {
                    if ready == -2 || Completion.interrupted?() == true {
                        Completion.interruptedByKey = true
                        rl_replace_line("", 0)
                        return 10 // Enter, on an empty line
                    }
                    continue
                }
                var c: UInt8 = 0
                let n = Glibc.read(fd, &c, 1)
                // In its edit mode libedit may take Ctrl-C as a key rather than a signal.
                if n == 1, c == 3 {
                    Completion.interruptedByKey = true
                    rl_replace_line("", 0)
                    return 10
                }
                // libedit takes what this returns as one whole character: decode UTF-8 here.
                if n == 1 { return Completion.decodeUTF8(first: c, fd: fd) }
                if n < 0, errno == EINTR { continue }
                return EOF
            }
        }
        using_history()
        stifle_history(Self.historySize)
        _ = read_history(historyPath)
        rl_completion_append_character = 0
        // `.` and `:` are not breaks: `households:wh` is completed as one word.
        rl_completer_word_break_characters = strdup(" \t\n\"'`(){}[],=;+-*/<>~#%^&|")
        Completion.complete = complete
        Completion.interrupted = interrupted
        rl_attempted_completion_function = { text, start, end in
            rl_attempted_completion_over = 1 // no file names unless asked for (:load)
            return Completion.matches(text: text, end: end)
        }
    }

    func read(prompt: String) -> String? {
        Completion.interruptedByKey = false
        guard let p = readline(prompt) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    var lineWasInterrupted: Bool { Completion.interruptedByKey }

    func remember(_ chunk: String) {
        guard !chunk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        _ = add_history(chunk)
    }

    func save() {
        _ = write_history(historyPath)
        _ = history_truncate_file(historyPath, Self.historySize)
    }

    /// `$XDG_STATE_HOME/linkage/history`, else `~/.local/state/linkage/history`.
    static var defaultHistoryPath: String {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], !state.isEmpty { return state + "/linkage/history" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.local/state/linkage/history"
    }
}

/// libedit's completion callbacks are C functions without context: the console's completer is
/// reached through here (one console per process).
enum Completion {
    nonisolated(unsafe) static var complete: ((String, String) -> [String]?)?
    nonisolated(unsafe) static var interrupted: (() -> Bool)?
    /// Set when Ctrl-C ended the line being edited (the console then drops it).
    nonisolated(unsafe) static var interruptedByKey = false
    nonisolated(unsafe) static var candidates: [String] = []

    static func matches(text: UnsafePointer<CChar>?, end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        let word = text.map { String(cString: $0) } ?? ""
        let line = rl_line_buffer.map { String(cString: $0) } ?? ""
        // libedit counts positions in bytes or in characters, depending on its build: tell by the
        // length of the whole line.
        let before = Int(rl_end) == line.utf8.count
            ? String(decoding: Array(line.utf8.prefix(Int(end))), as: UTF8.self)
            : String(line.prefix(Int(end)))
        guard let found = complete?(before, word) else {
            // nil: file names (after :load).
            rl_attempted_completion_over = 0
            return rl_completion_matches(text, rl_filename_completion_function)
        }
        candidates = found
        guard !found.isEmpty else { return nil }
        return rl_completion_matches(text) { _, state in
            if state == 0 { Completion.index = 0 }
            guard Completion.index < Completion.candidates.count else { return nil }
            defer { Completion.index += 1 }
            return strdup(Completion.candidates[Completion.index])
        }
    }

    nonisolated(unsafe) static var index = 0

    /// The character whose UTF-8 encoding begins with `first`, reading the rest from `fd`.
    static func decodeUTF8(first: UInt8, fd: Int32) -> Int32 {
        let length = first < 0x80 ? 1 : first >> 5 == 0b110 ? 2 : first >> 4 == 0b1110 ? 3 : first >> 3 == 0b11110 ? 4 : 1
        guard length > 1 else { return Int32(first) }
        var bytes = [first]
        while bytes.count < length {
            var c: UInt8 = 0
            let n = Glibc.read(fd, &c, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1 else { break }
            bytes.append(c)
        }
        guard let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first else { return 0xFFFD }
        return Int32(scalar.value)
    }
}
