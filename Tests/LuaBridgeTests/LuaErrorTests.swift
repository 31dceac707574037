import XCTest
@testable import LuaBridge

/// Counts live instances, to prove that error paths release what Swift frames held.
final class Tracked {
    nonisolated(unsafe) static var live = 0
    init() { Tracked.live += 1 }
    deinit { Tracked.live -= 1 }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom from Swift" }
}

final class LuaErrorTests: XCTestCase {
    func testSwiftErrorIsCaughtByPcallAndTheScriptGoesOn() throws {
        let lua = LuaState()
        lua.register("fail") { _ in throw Boom() }
        let r = try lua.run("""
            local ok, err = pcall(fail)
            local after = 'went on'
            return ok, err, after
            """, chunkName: "=test")
        // pcall is C, so the position is the line that called pcall.
        XCTAssertEqual(r, [false, "test:1: boom from Swift", "went on"])
    }

    func testSwiftErrorCarriesTheCallersPosition() throws {
        let lua = LuaState()
        lua.register("fail") { _ in throw LuaRuntimeError("no such household") }
        let r = try lua.run("local function f() return fail() end\nlocal ok, e = pcall(function()\n  f()\nend)\nreturn e", chunkName: "@check.lua")
        // Level 1 is the Lua function that called fail (f, on line 1), as luaL_error reports it.
        XCTAssertEqual(r, ["check.lua:1: no such household"])
    }

    func testUncaughtSwiftErrorReachesSwiftAsTypedErrorWithTraceback() {
        let lua = LuaState()
        lua.register("fail") { _ in throw LuaRuntimeError("bad village code") }
        XCTAssertThrowsError(try lua.run("local function inner() fail() end\nlocal function outer() inner() end\nouter()", chunkName: "@deep.lua")) { error in
            guard let e = error as? LuaScriptError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .runtime)
            XCTAssertEqual(e.message, "deep.lua:1: bad village code")
            XCTAssertEqual(e.chunk, "deep.lua")
            XCTAssertEqual(e.line, 1)
            let tb = e.traceback ?? ""
            XCTAssertTrue(tb.contains("stack traceback"), tb)
            XCTAssertTrue(tb.contains("in upvalue 'inner'") || tb.contains("in local 'inner'") || tb.contains("'inner'"), tb)
            XCTAssertTrue(tb.contains("deep.lua:2"), tb)
            XCTAssertTrue(tb.contains("deep.lua:3"), tb)
        }
    }

    func testSyntaxErrorNamesChunkAndLine() {
        let lua = LuaState()
        XCTAssertThrowsError(try lua.run("local x = 1\nlocal y = = 2", chunkName: "@broken.lua")) { error in
            guard let e = error as? LuaScriptError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .syntax)
            XCTAssertEqual(e.chunk, "broken.lua")
            XCTAssertEqual(e.line, 2)
            XCTAssertTrue(e.message.contains("unexpected symbol near '='"), e.message)
        }
    }

    func testMissingFileIsAFileError() {
        let lua = LuaState()
        XCTAssertThrowsError(try lua.load(file: "/nonexistent/x.lua")) { error in
            XCTAssertEqual((error as? LuaScriptError)?.kind, .file)
        }
    }

    func testNonStringErrorValuesAreDescribed() {
        let lua = LuaState()
        XCTAssertThrowsError(try lua.run("error({code = 1})")) { error in
            XCTAssertEqual((error as? LuaScriptError)?.message, "(error object is a table value)")
        }
        XCTAssertThrowsError(try lua.run("error(setmetatable({}, {__tostring = function() return 'custom' end}))")) { error in
            XCTAssertEqual((error as? LuaScriptError)?.message, "custom")
        }
    }

    func testArgumentErrorsNameTheFunctionAndArgument() throws {
        let lua = LuaState()
        lua.register("twice") { call in call.returning(.integer(try call.integer(1) * 2)) }
        XCTAssertEqual(try lua.run("return twice(21)"), [42])
        XCTAssertEqual(try lua.run("return select(2, pcall(twice, 'x'))", chunkName: "=t"), ["t:1: bad argument #1 to 'twice' (number expected, got string)"])
        XCTAssertEqual(try lua.run("return select(2, pcall(twice))", chunkName: "=t"), ["t:1: bad argument #1 to 'twice' (number expected, got no value)"])
        XCTAssertEqual(try lua.run("return select(2, pcall(twice, 1.5))", chunkName: "=t"), ["t:1: bad argument #1 to 'twice' (number has no integer representation)"])
    }

    /// The trampoline rule: an error raised for a Swift function must not skip the Swift frame's
    /// cleanup. Every object the throwing function held is released, for many caught errors.
    func testManyCaughtErrorsFromSwiftLeakNothing() throws {
        let lua = LuaState()
        let before = Tracked.live
        lua.register("failHolding") { _ in
            let held = [Tracked(), Tracked()]
            withExtendedLifetime(held) {}
            throw Boom()
        }
        let r = try lua.run("local n = 0 for i = 1, 100000 do if not pcall(failHolding) then n = n + 1 end end return n")
        XCTAssertEqual(r, [100000])
        XCTAssertEqual(Tracked.live, before)
    }

    func testLuaCallingSwiftCallingLuaErrorsNest() throws {
        let lua = LuaState()
        // A Swift function that runs a nested chunk: its failure becomes this call's Lua error.
        lua.register("nested") { call in
            let code = try call.string(1)
            let state = LuaStack(call.L)
            _ = state
            throw LuaRuntimeError("nested said: \(code)")
        }
        XCTAssertEqual(try lua.run("local ok, e = pcall(nested, 'hi') return e", chunkName: "=n"), ["n:1: nested said: hi"])
    }

    func testStateStaysUsableAfterErrors() throws {
        let lua = LuaState()
        for _ in 0..<3 { XCTAssertThrowsError(try lua.run("error('x')")) }
        XCTAssertEqual(lua.stack.top, 0, "failed calls leave the stack clean")
        XCTAssertEqual(try lua.run("return 40 + 2"), [42])
    }
}

/// A state's own words for Swift errors (`LuaState.errorText`) apply to that state only.
final class LuaErrorTextTests: XCTestCase {
    struct Coded: Error { let code: Int }

    func testErrorTextNamesTheErrorInOneStateOnly() throws {
        let worded = LuaState(), plain = LuaState()
        worded.errorText = { ($0 as? Coded).map { "code \($0.code) in words" } }
        for lua in [worded, plain] {
            lua.register("fail") { _ in throw Coded(code: 7) }
            lua.register("boom") { _ in throw Boom() }
        }
        let script = "local _, a = pcall(fail); local _, b = pcall(boom); return a, b"
        XCTAssertEqual(try worded.run(script, chunkName: "=test"), ["test:1: code 7 in words", "test:1: boom from Swift"])
        XCTAssertEqual(try plain.run(script, chunkName: "=test"), ["test:1: Coded(code: 7)", "test:1: boom from Swift"])
    }
}
