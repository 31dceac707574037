import XCTest
@testable import LuaBridge

final class LuaValueRoundTripTests: XCTestCase {
    /// Pushes a value into Lua, stores it in a global, reads it back through Lua and Swift.
    private func roundTrip(_ v: LuaValue, in lua: LuaState = LuaState()) -> LuaValue {
        lua[global: "x"] = v
        return lua[global: "x"]
    }

    func testEveryScalarKindRoundTrips() {
        let values: [LuaValue] = [.nil, true, false, 0, 42, -7, .integer(Int64.max), .integer(Int64.min),
                                  1.5, -0.25, .number(1e300), "", "hello", "太京镇"]
        for v in values { XCTAssertEqual(roundTrip(v), v, "\(v)") }
    }

    func testIntegersAndFloatsStayDistinct() throws {
        let lua = LuaState()
        XCTAssertEqual(try lua.run("return 3, 3.0, 2^53, 7 // 2, 7 / 2"), [.integer(3), .number(3), .number(9007199254740992), .integer(3), .number(3.5)])
        XCTAssertEqual(try lua.run("return math.type(...)", args: [.integer(1)]), ["integer"])
        XCTAssertEqual(try lua.run("return math.type(...)", args: [.number(1)]), ["float"])
        XCTAssertEqual(try lua.run("return ... + 1", args: [.integer(Int64.max)]), [.integer(Int64.min)], "wraps like Lua integers")
    }

    func testStringsAreBytesWithEmbeddedZerosAndInvalidUTF8Kept() throws {
        let lua = LuaState()
        XCTAssertEqual(try lua.run("return #..., ...", args: ["a\0b"]), [3, "a\0b"])
        let invalid: [UInt8] = [0xff, 0x00, 0xfe, 0x41]
        XCTAssertEqual(try lua.run("return #..., ...", args: [.bytes(invalid)]), [4, .bytes(invalid)])
        XCTAssertEqual(try lua.run("return '\\xe5\\xa4\\xaa'"), ["太"])
    }

    func testArraysAndDictionariesBecomeTablesAndBack() throws {
        let lua = LuaState()
        let array: LuaValue = [1, "two", 3.5, true]
        XCTAssertEqual(roundTrip(array, in: lua), array)
        XCTAssertEqual(try lua.run("return #x, x[2]"), [4, "two"])
        let dict = LuaValue.dictionary(["name": "王", "n": 2, "nested": .dictionary(["k": [1, 2]])])
        XCTAssertEqual(roundTrip(dict, in: lua), dict)
        XCTAssertEqual(try lua.run("return x.nested.k[2], x.name"), [2, "王"])
        XCTAssertEqual(try lua.run("return {}"), [.table([:])])
        XCTAssertEqual(try lua.run("return {1, 2, nil, 4}")[0][4], 4, "a table with holes is still readable")
    }

    func testCyclicTableComesBackAsReference() throws {
        let lua = LuaState()
        let v = try lua.run("local t = {} t.self = t return t")[0]
        guard case .reference(let r) = v["self"] else { return XCTFail("expected a reference, got \(v)") }
        XCTAssertEqual(r.typeName, "table")
    }

    func testLuaFunctionsAreHeldByReferenceAndCanBePushedBack() throws {
        let lua = LuaState()
        let f = try lua.run("return function(a) return a * 2 end")[0]
        guard case .reference = f else { return XCTFail("expected a reference") }
        lua[global: "f"] = f
        XCTAssertEqual(try lua.run("return f(21)"), [42])
    }

    func testSwiftObjectsRoundTripAsUserdata() throws {
        final class Thing { let id: Int; init(_ id: Int) { self.id = id } }
        let lua = LuaState()
        let cls = LuaClass<Thing>(name: "Thing", fields: { t, key, call in
            guard key == "id" else { return false }
            call.push(.integer(Int64(t.id)))
            return true
        })
        cls.install(in: lua)
        let thing = Thing(7)
        lua[global: "t"] = .object(LuaObjectRef(thing, metatable: "Thing"))
        XCTAssertEqual(try lua.run("return t.id, type(t)"), [7, "userdata"])
        guard case .object(let ref) = lua[global: "t"] else { return XCTFail() }
        XCTAssertTrue(ref.object === thing)
    }
}
