import Foundation
import XCTest
@testable import LuaBridge

final class LuaLimitsTests: XCTestCase {
    final class Tracked {
        nonisolated(unsafe) static var live = 0
        init() { Tracked.live += 1 }
        deinit { Tracked.live -= 1 }
    }

    /// A state with `tracked()`, which returns a userdata owning a Swift object.
    private func makeState() -> LuaState {
        let lua = LuaState()
        lua.register("tracked") { call in
            call.stack.push(object: Tracked(), metatable: "Tracked")
            return 1
        }
        return lua
    }

    private func failure(_ lua: LuaState, _ code: String) -> LuaScriptError? {
        do {
            try lua.run(code, chunkName: "=t")
            return nil
        } catch {
            return error
        }
    }

    override func tearDown() {
        LuaState.uninstallInterruptHandler()
        super.tearDown()
    }

    // MARK: memory

    /// Runs `code` under a memory limit of `bytes` and asserts it fails on that limit.
    private func assertStopsOnMemory(_ lua: LuaState, _ code: String, limit bytes: Int,
                                     file: StaticString = #filePath, line: UInt = #line) throws -> LuaScriptError {
        lua.memoryLimit = bytes
        let e = try XCTUnwrap(failure(lua, code), file: file, line: line)
        XCTAssertEqual(e.kind, .memory, file: file, line: line)
        XCTAssertEqual(e.stopReason, .memoryLimit(bytes: bytes), file: file, line: line)
        return e
    }

    func testMemoryCapStopsAHugeTableAndTheStateStaysUsable() throws {
        let lua = makeState()
        let e = try assertStopsOnMemory(lua, "local t = {} for i = 1, 1e9 do t[i] = tracked() end", limit: 10 << 20)
        XCTAssertEqual(e.message, "not enough memory: the memory limit of 10 MB was reached")
        XCTAssertNil(lua.stopReason, "memory is not a sticky stop: the script may free and go on")
        lua.collectGarbage()
        lua.collectGarbage()
        XCTAssertEqual(Tracked.live, 0, "every Swift object the failed script made was released")
        XCTAssertLessThan(lua.memoryUsed, 1 << 20)
        XCTAssertEqual(lua.memoryUsed, lua.memoryInUse, "the allocator counts what Lua counts")
        XCTAssertEqual(try lua.run("local t = {} for i = 1, 1000 do t[i] = i end return #t"), [1000])
    }

    func testMemoryCapRefusesOneHugeStringAndPcallCanRecover() throws {
        let lua = makeState()
        _ = try assertStopsOnMemory(lua, "return #string.rep('x', 64 * 1024 * 1024)", limit: 10 << 20)
        // Lua's own semantics stay: a script may catch a memory error, having freed what it held.
        XCTAssertEqual(try lua.run("local ok, e = pcall(string.rep, 'x', 64 * 1024 * 1024) return ok, e"),
                       [false, "not enough memory"])
        lua.memoryLimit = nil
        XCTAssertEqual(try lua.run("return #string.rep('x', 16 * 1024 * 1024)"), [.integer(16 * 1024 * 1024)])
    }

    func testSwiftFunctionsMayPassTheCapAndTheCallFailsWhenTheyReturn() throws {
        let lua = makeState()
        lua.register("big") { call in
            // Pushed by Swift: the cap must not refuse here (that would longjmp across this frame).
            call.push(.string(String(repeating: "y", count: 4 << 20)))
            return 1
        }
        _ = try assertStopsOnMemory(lua, "keep = big() return #keep", limit: 2 << 20)
        // Garbage a Swift function left is collected before the call would be refused.
        lua.register("scratch") { call in
            call.push(.string(String(repeating: "z", count: 4 << 20)))
            call.stack.pop()
            return call.returning(.integer(1))
        }
        XCTAssertEqual(try lua.run("return scratch() + scratch()"), [2])
    }

    // MARK: time and instructions

    func testBusyLoopStopsAtTheDeadline() throws {
        let lua = makeState()
        lua.timeLimit = 0.2
        let start = Date()
        let e = try XCTUnwrap(failure(lua, "while true do end"))
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(e.kind, .limit)
        XCTAssertEqual(e.stopReason, .timeLimit(seconds: 0.2))
        XCTAssertEqual(e.message, "script stopped: time limit of 0.2 s reached")
        XCTAssertGreaterThanOrEqual(elapsed, 0.2)
        XCTAssertLessThan(elapsed, 5, "stopped at the deadline, not never")
        XCTAssertNotNil(e.traceback, "the message handler still ran")
    }

    func testInstructionBudgetTrips() throws {
        let lua = makeState()
        lua.instructionBudget = 100_000
        XCTAssertEqual(try lua.run("local n = 0 for i = 1, 100 do n = n + i end return n"), [5050], "a short chunk runs")
        lua.resetLimits()
        let e = try XCTUnwrap(failure(lua, "local n = 0 while true do n = n + 1 end"))
        XCTAssertEqual(e.kind, .limit)
        XCTAssertEqual(e.stopReason, .instructionBudget(100_000))
        XCTAssertEqual(e.message, "script stopped: instruction budget of 100000 reached")
        XCTAssertGreaterThanOrEqual(lua.instructionsCounted, 100_000)
        XCTAssertLessThan(lua.instructionsCounted, 101_000, "counted to the hook's step")
    }

    func testPcallInsideTheScriptCannotSwallowAStop() throws {
        let lua = makeState()
        lua.timeLimit = 0.2
        let e = try XCTUnwrap(failure(lua, """
            local ok, err = pcall(function() while true do end end)
            local ok2 = xpcall(function() while true do end end, function(m) return m end)
            return "survived", ok, err
            """))
        XCTAssertEqual(e.kind, .limit)
        XCTAssertEqual(e.stopReason, .timeLimit(seconds: 0.2))

        lua.resetLimits()
        lua.timeLimit = nil
        lua.instructionBudget = 50_000
        let retried = try XCTUnwrap(failure(lua, """
            for attempt = 1, 1000 do pcall(function() while true do end end) end
            return "survived"
            """))
        XCTAssertEqual(retried.stopReason, .instructionBudget(50_000))

        // A Swift function that catches the nested stop does not end it either.
        lua.resetLimits()
        lua.register("swallow") { call in
            _ = try? lua.run("while true do end")
            return 0
        }
        XCTAssertEqual(try XCTUnwrap(failure(lua, "swallow() return 'survived'")).kind, .limit)
    }

    /// A Swift function that fails because the script is being stopped (work on another thread
    /// that asked `isStopping`, say) ends the script there: the stop is the error, not the
    /// function's, and a `pcall` around it cannot swallow it.
    func testASwiftFunctionFailingPastTheDeadlineStopsTheScript() throws {
        let lua = makeState()
        let interrupter = lua.interrupter
        lua.register("wait_for_helpers") { _ in
            while !interrupter.isStopping { usleep(10_000) }
            throw LuaRuntimeError("interrupted")
        }
        lua.timeLimit = 0.2
        XCTAssertFalse(interrupter.isStopping, "not before the deadline")
        let e = try XCTUnwrap(failure(lua, """
            local ok, err = pcall(wait_for_helpers)
            print_after = true
            return "survived", ok, err
            """))
        XCTAssertEqual(e.stopReason, .timeLimit(seconds: 0.2))
        XCTAssertEqual(e.message, "script stopped: time limit of 0.2 s reached")
        lua.resetLimits()
        lua.timeLimit = nil
        XCTAssertEqual(try lua.run("return print_after"), [.nil], "no statement after the pcall ran")
        XCTAssertFalse(interrupter.isStopping, "a reset ends the stop")
    }

    func testAStopIsStickyUntilResetAndTheStateIsUsableAfterwards() throws {
        let lua = makeState()
        lua.instructionBudget = 10_000
        XCTAssertEqual(try XCTUnwrap(failure(lua, "while true do end")).kind, .limit)
        XCTAssertEqual(try XCTUnwrap(failure(lua, "local x = 1 return x")).stopReason, .instructionBudget(10_000),
                       "still stopped")
        lua.resetLimits()
        XCTAssertNil(lua.stopReason)
        XCTAssertEqual(try lua.run("local s = 0 for i = 1, 10 do s = s + i end return s"), [55])
        lua.instructionBudget = nil
        XCTAssertEqual(try lua.run("local s = 0 for i = 1, 1e6 do s = s + 1 end return s"), [1_000_000], "no budget")
    }

    func testCoroutinesAreStoppedToo() throws {
        let lua = makeState()
        lua.timeLimit = 0.2
        let e = try XCTUnwrap(failure(lua, """
            local co = coroutine.wrap(function() while true do end end)
            local ok = pcall(co)
            return "survived", ok
            """))
        XCTAssertEqual(e.kind, .limit)
    }

    // MARK: interrupt

    nonisolated(unsafe) static var alsoInterrupted: Int32 = 0
    static let countInterrupt: LuaInterruptCallback = { context in
        context!.assumingMemoryBound(to: Int32.self).pointee += 1
    }

    func testInterruptFromAnotherThreadStopsABusyLoopAndCallsTheCallback() throws {
        let lua = makeState()
        LuaLimitsTests.alsoInterrupted = 0
        lua.setInterruptCallback(LuaLimitsTests.countInterrupt, context: &LuaLimitsTests.alsoInterrupted)
        let interrupter = lua.interrupter
        Thread.detachNewThread {
            usleep(100_000)
            interrupter.interrupt()
        }
        let start = Date()
        let e = try XCTUnwrap(failure(lua, "local t = {} while true do t[#t % 10 + 1] = {} end"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(e.kind, .interrupted)
        XCTAssertEqual(e.stopReason, .interrupted)
        XCTAssertEqual(e.message, "interrupted")
        XCTAssertEqual(LuaLimitsTests.alsoInterrupted, 1)
        lua.resetLimits()
        XCTAssertEqual(try lua.run("return 6 * 7"), [42])
    }

    func testRealSIGINTInterruptsABusyLoop() throws {
        let lua = makeState()
        LuaLimitsTests.alsoInterrupted = 0
        lua.setInterruptCallback(LuaLimitsTests.countInterrupt, context: &LuaLimitsTests.alsoInterrupted)
        XCTAssertTrue(lua.installInterruptHandler())
        Thread.detachNewThread {
            usleep(100_000)
            kill(getpid(), SIGINT) // the handler is one-shot: send exactly one
        }
        let start = Date()
        let e = try XCTUnwrap(failure(lua, "while true do pcall(function() while true do end end) end"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(e.kind, .interrupted)
        XCTAssertEqual(LuaLimitsTests.alsoInterrupted, 1, "the handler called the also-interrupt callback")
        XCTAssertTrue(LuaState.uninstallInterruptHandler())
        lua.resetLimits()
        XCTAssertEqual(try lua.run("return 1 + 1"), [2])
    }

    // MARK: closing

    func testCloseIsIdempotentAndReferencesOutliveIt() throws {
        let lua = makeState()
        try lua.run("keep = { tracked(), tracked() } f = function() end")
        guard case .reference(let f) = lua[global: "f"] else { return XCTFail("a function is held by reference") }
        XCTAssertEqual(Tracked.live, 2)
        lua.close()
        XCTAssertEqual(Tracked.live, 0)
        lua.close()
        XCTAssertTrue(lua.isClosed)
        XCTAssertEqual(f.typeName, "nil", "a reference knows its state is gone")
        lua.interrupter.interrupt() // only sets a flag once closed
    }

    /// Closing from inside a Swift function, as os.exit does, cannot return into Lua, so it runs in
    /// a child process (this test binary, re-run on this test) that exits from the function.
    func testCloseFromInsideASwiftFunctionRunsFinalizersThenExits() throws {
        if ProcessInfo.processInfo.environment["LUABRIDGE_CLOSE_CHILD"] != nil {
            closeFromInsideChild()
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["LuaBridgeTests.LuaLimitsTests/testCloseFromInsideASwiftFunctionRunsFinalizersThenExits"]
        child.environment = ProcessInfo.processInfo.environment.merging(["LUABRIDGE_CLOSE_CHILD": "1"]) { $1 }
        let out = Pipe()
        child.standardOutput = out
        child.standardError = FileHandle.nullDevice
        try child.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 7, output)
        XCTAssertTrue(output.contains("__close ran\n"), output)
        XCTAssertTrue(output.contains("after close: live 0, closed true, reference nil\n"), output)
    }

    private func closeFromInsideChild() -> Never {
        let lua = makeState()
        lua.timeLimit = 30
        lua.memoryLimit = 10 << 20
        lua.installInterruptHandler()
        lua.register("note") { call in
            print(try call.string(1))
            return 0
        }
        var held: LuaReference?
        lua.register("exit") { call in
            if case .reference(let r) = call.value(1) { held = r }
            lua.close() // as os.exit(code, true): to-be-closed variables, then every finalizer
            lua.close()
            print("after close: live \(Tracked.live), closed \(lua.isClosed), reference \(held?.typeName ?? "?")")
            held = nil
            fflush(nil) // every stream: the child exits without returning
            exit(7)
        }
        do {
            try lua.run("""
                keep = { tracked(), tracked(), tracked() }
                local x <close> = setmetatable({}, { __close = function() note("__close ran") end })
                exit(function() end)
                """)
        } catch {
            print("failed: \(error)")
        }
        exit(1)
    }
}
