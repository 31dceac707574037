import CLua
import LuaShim

/// Why a script was stopped, with the limit's value so the caller can name it.
public enum LuaStopReason: Equatable, Sendable, CustomStringConvertible {
    case timeLimit(seconds: Double)
    case instructionBudget(Int)
    case interrupted
    case memoryLimit(bytes: Int)

    /// The error message the state raises (or, for memory, reports) for this reason.
    public var message: String {
        switch self {
        case .timeLimit(let s): "script stopped: time limit of \(LuaStopReason.seconds(s)) s reached"
        case .instructionBudget(let n): "script stopped: instruction budget of \(n) reached"
        case .interrupted: "interrupted"
        case .memoryLimit(let bytes): "not enough memory: the memory limit of \(LuaStopReason.size(bytes)) was reached"
        }
    }

    public var description: String { message }

    /// 5 → "5", 0.25 → "0.25": as the C hook's `%g`, so both say the same.
    static func seconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e15 ? String(Int64(s)) : String(s)
    }

    /// 67108864 → "64 MB", 1536 → "1.5 KB", 100 → "100 bytes" (binary units, as --max-memory).
    public static func size(_ bytes: Int) -> String {
        for (unit, scale) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] where bytes >= scale {
            let value = Double(bytes) / Double(scale)
            return (value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)) + " " + unit
        }
        return "\(bytes) bytes"
    }
}

/// A C function the SIGINT handler (or `interrupt()`) calls with its context, to stop work outside
/// Lua too — the scripting layer passes one that calls `sqlite3_interrupt`. Must be
/// async-signal-safe.
public typealias LuaInterruptCallback = @convention(c) (UnsafeMutableRawPointer?) -> Void

/// Owns the C limits of one state. Shared with `LuaInterrupter`s, so it outlives the state: after
/// close, interrupting only sets a flag.
final class LuaLimitsHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { ls_limits_free(pointer) }
}

/// The limit values as set, for the stop reasons.
struct LuaLimitSettings {
    var memory: Int?
    var time: Double?
    var instructions: Int?
}

/// Stops a state's script from another thread. Do not interrupt a state while it is being closed.
public struct LuaInterrupter: Sendable {
    let limits: LuaLimitsHandle
    public func interrupt() { ls_interrupt(limits.pointer) }
    /// Whether the script is being stopped (interrupted, or past its deadline): for work done on
    /// the script's behalf on another thread, to stop with it. Changes nothing.
    public var isStopping: Bool { ls_limits_stopping(limits.pointer) != 0 }
}

extension LuaState {
    // MARK: limits

    /// A cap in bytes on Lua's heap; nil for none. Beyond it Lua raises its own "not enough memory"
    /// (LUA_ERRMEM), reported as a `.memory` LuaScriptError with `.memoryLimit` as its stop reason.
    /// The cap applies to Lua code only: Swift functions and error handling may exceed it (it is
    /// checked again when a Swift function returns), and freeing is always allowed.
    public var memoryLimit: Int? {
        get { settings.memory }
        set {
            settings.memory = newValue.map { max($0, 1) }
            ls_set_memory_limit(limits.pointer, settings.memory ?? 0)
        }
    }

    /// Seconds of wall-clock time from now (and from each `resetLimits()`); nil for none.
    public var timeLimit: Double? {
        get { settings.time }
        set {
            settings.time = newValue.flatMap { $0 > 0 ? $0 : nil }
            ls_set_time_limit(limits.pointer, settings.time ?? 0)
        }
    }

    /// About this many VM instructions from now (and from each `resetLimits()`), counted in steps
    /// of 1000; nil for none.
    public var instructionBudget: Int? {
        get { settings.instructions }
        set {
            settings.instructions = newValue.flatMap { $0 > 0 ? $0 : nil }
            ls_set_instruction_budget(limits.pointer, Int64(settings.instructions ?? 0))
        }
    }

    /// Instructions counted since the budget was set or the limits reset (at the hook's step).
    public var instructionsCounted: Int { Int(ls_instructions(limits.pointer)) }

    /// Bytes Lua has allocated, as the memory limit counts them.
    public var memoryUsed: Int { ls_memory_used(limits.pointer) }

    /// Why the state is stopped, or nil. A stop is sticky: every later Lua instruction raises it
    /// again (so `pcall` cannot swallow it) until `resetLimits()`.
    public var stopReason: LuaStopReason? {
        switch ls_stop_reason(limits.pointer) {
        case Int32(LS_STOP_TIME): .timeLimit(seconds: settings.time ?? 0)
        case Int32(LS_STOP_BUDGET): .instructionBudget(settings.instructions ?? 0)
        case Int32(LS_STOP_INTERRUPT): .interrupted
        default: nil
        }
    }

    /// Clears a stop, restarts the time limit's clock and the instruction count, and re-arms a
    /// one-shot SIGINT handler; the limits themselves stay. Call it before each chunk a console runs.
    public func resetLimits() { ls_limits_reset(limits.pointer) }

    /// Checks the time limit and an interrupt now, for long work outside Lua (a SQLite progress
    /// handler): the stop reason, or nil while the script may go on.
    public func checkLimits() -> LuaStopReason? {
        _ = ls_limits_poll(limits.pointer)
        return stopReason
    }

    // MARK: interrupting

    /// Stops the running script at its next instruction, call or return, with "interrupted", and
    /// calls the interrupt callback. The same C function the SIGINT handler calls.
    public func interrupt() { ls_interrupt(limits.pointer) }

    /// A handle to interrupt this state from another thread.
    public var interrupter: LuaInterrupter { LuaInterrupter(limits: limits) }

    /// Sets (or, with nil, removes) what an interrupt also calls, e.g. a function that calls
    /// `sqlite3_interrupt` on the connection passed as `context`. The context is not retained.
    public func setInterruptCallback(_ callback: LuaInterruptCallback?, context: UnsafeMutableRawPointer?) {
        ls_set_interrupt_callback(limits.pointer, callback, context)
    }

    /// Routes SIGINT (Ctrl-C) to `interrupt()` on this state, as lua.c does around each chunk. The
    /// handler is one-shot: a second Ctrl-C before `resetLimits()` kills the process, for a script
    /// stuck outside Lua. Costs nothing until the signal comes. Returns false when sigaction failed.
    @discardableResult
    public func installInterruptHandler() -> Bool { ls_sigint_install(limits.pointer) == 0 }

    /// Restores the SIGINT action that was there before `installInterruptHandler()`.
    @discardableResult
    public static func uninstallInterruptHandler() -> Bool { ls_sigint_uninstall() == 0 }

    // MARK: errors

    /// A memory error, naming the memory limit when that is what refused.
    func memoryError(_ message: String, traceback: String? = nil) -> LuaScriptError {
        if let bytes = settings.memory, ls_memory_refused(limits.pointer) != 0 {
            let reason = LuaStopReason.memoryLimit(bytes: bytes)
            return LuaScriptError(kind: .memory, message: reason.message, traceback: traceback, stopReason: reason)
        }
        return LuaScriptError(kind: .memory, message: message, traceback: traceback)
    }
}
