import Foundation
import LinkageModel

/// How the bytes of a text file were read.
public enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf8BOM = "UTF-8 with BOM"
    case utf16 = "UTF-16"
    /// What Excel on a Chinese Windows writes as "CSV"; a superset of GBK and GB2312.
    case gb18030 = "GB18030"
}

/// Reads the text of a file whatever its encoding: UTF-8 with or without a byte-order mark, UTF-16
/// with one, and otherwise GB18030 — the choice is made by the bytes, not guessed from the name.
public enum TextDecoding {
    /// The rule: a UTF-8 or UTF-16 byte-order mark says so; bytes that are valid UTF-8 are UTF-8
    /// (pure ASCII included); anything else is read as GB18030 through iconv, and bytes that are
    /// not GB18030 either are an error naming their offset.
    public static func decode(_ data: Data) throws -> (text: String, encoding: TextEncoding) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let s = String(validating: bytes.dropFirst(3), as: UTF8.self) else {
                throw ExchangeError("the file starts with a UTF-8 byte-order mark but is not valid UTF-8 after it; save it again as \"CSV UTF-8\"")
            }
            return (s, .utf8BOM)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let s = String(data: data, encoding: .utf16) else {
                throw ExchangeError("the file starts with a UTF-16 byte-order mark but is not valid UTF-16")
            }
            return (s.hasPrefix("\u{FEFF}") ? String(s.dropFirst()) : s, .utf16)
        }
        if let s = String(validating: bytes, as: UTF8.self) { return (s, .utf8) }
        return (try gb18030(bytes), .gb18030)
    }

    /// GB18030 bytes as a string, through Glibc's iconv.
    public static func gb18030(_ bytes: [UInt8]) throws -> String {
        try convert(bytes, from: "GB18030", to: "UTF-8").withUnsafeBufferPointer { buffer in
            guard let s = String(validating: buffer, as: UTF8.self) else {
                throw ExchangeError("iconv produced text that is not UTF-8")
            }
            return s
        }
    }

    static func convert(_ input: [UInt8], from: String, to: String) throws -> [UInt8] {
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { throw ExchangeError("iconv cannot convert \(from) to \(to) on this system") }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var inLeft = input.count
        var outLeft = output.count
        let result: Int = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: inBuffer.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                if input.isEmpty { return 0 }
                return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            }
        }
        if result == -1 {
            let offset = input.count - inLeft
            let sample = input[offset..<min(input.count, offset + 4)].map { String(format: "%02X", $0) }.joined(separator: " ")
            throw ExchangeError("the file is neither UTF-8 nor \(from == "UTF-8" ? to : from): bytes \(sample) at offset \(offset) are not valid; save it as \"CSV UTF-8\"")
        }
        return Array(output.prefix(output.count - outLeft))
    }
}
