import Foundation

/// A Lua value on the Swift side. Integers and floats stay distinct, as in Lua 5.4.
///
/// Strings that are valid UTF-8 arrive as `.string`; any other byte string arrives as `.bytes`, so a
/// round trip never changes a byte (embedded zeros included).
public enum LuaValue: Hashable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case bytes([UInt8])
    /// A table whose keys are exactly 1...n (n ≥ 1).
    case array([LuaValue])
    /// Any other table, the empty table included.
    case table([LuaValue: LuaValue])
    /// A Swift object exposed as userdata with the named metatable (see `LuaClass`).
    case object(LuaObjectRef)
    /// A Lua value Swift does not model (a Lua function, thread, foreign userdata), held by reference.
    case reference(LuaReference)

    /// A table with string keys.
    public static func dictionary(_ d: [String: LuaValue]) -> LuaValue {
        .table(Dictionary(uniqueKeysWithValues: d.map { (LuaValue.string($0.key), $0.value) }))
    }

    /// The name Lua's `type()` gives the value.
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string, .bytes: return "string"
        case .array, .table: return "table"
        case .object: return "userdata"
        case .reference(let r): return r.typeName
        }
    }

    /// How a message names a field key: a string as itself, anything else by its type.
    public var keyDescription: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .integer(let i): return "\(i)"
        default: return "a \(typeName)"
        }
    }

    public subscript(key: String) -> LuaValue {
        if case .table(let t) = self { return t[.string(key)] ?? .nil }
        return .nil
    }

    public subscript(index: Int) -> LuaValue {
        switch self {
        case .array(let a): return index >= 1 && index <= a.count ? a[index - 1] : .nil
        case .table(let t): return t[.integer(Int64(index))] ?? .nil
        default: return .nil
        }
    }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    /// The value as Lua's `tostring` would show a plain value (tables and objects as their kind).
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .integer(let i): return String(i)
        case .number(let d): return LuaValue.format(d)
        default: return nil
        }
    }

    /// Lua's `%.14g` formatting of floats, with the `.0` Lua adds to integral values.
    static func format(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = String(format: "%.14g", d)
        if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { s += ".0" }
        return s
    }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral
{
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

/// A Swift object as Lua sees it: the object and the name of its metatable.
public struct LuaObjectRef: Hashable, @unchecked Sendable {
    public let object: AnyObject
    public let metatable: String
    public init(_ object: AnyObject, metatable: String) {
        self.object = object
        self.metatable = metatable
    }
    public static func == (a: LuaObjectRef, b: LuaObjectRef) -> Bool { a.object === b.object }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(object)) }
}
