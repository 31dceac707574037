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
///
/// The rule: a UTF-8 or UTF-16 byte-order mark says so; bytes that are valid UTF-8 are UTF-8 (pure
/// ASCII included); anything else is read as GB18030 through iconv, and bytes that are not GB18030
/// either are an error naming their offset. A file read in chunks (``CSVFile``) applies the rule
/// to its first chunk with a byte that is not ASCII, and a later chunk that does not decode in the
/// encoding so chosen is an error naming its line.
public enum TextDecoding {
    /// The encoding a byte-order mark at the start of `bytes` names, and how many bytes to skip
    /// (none for UTF-16: iconv reads the mark for the byte order).
    static func byteOrderMark(_ bytes: some Collection<UInt8>) -> (encoding: TextEncoding, length: Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8BOM, 3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return (.utf16, 0) }
        return nil
    }

    /// The encoding of text without a byte-order mark, told by `bytes` (some of which are not ASCII).
    static func detect(_ bytes: some Collection<UInt8>) -> TextEncoding {
        let valid = bytes.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) != nil }
            ?? (firstInvalidUTF8(bytes) == nil)
        return valid ? .utf8 : .gb18030
    }

    /// Decodes a whole file's bytes.
    public static func decode(_ data: Data) throws -> (text: String, encoding: TextEncoding) {
        let bytes = [UInt8](data)
        let mark = byteOrderMark(bytes)
        let encoding = mark?.encoding ?? detect(bytes)
        var decoder = try TextDecoder(encoding)
        let start = mark?.length ?? 0
        do {
            let text = try decoder.decode(bytes[start...])
            try decoder.finish()
            return (String(decoding: text, as: UTF8.self), encoding)
        } catch let failure as TextDecoder.Failure {
            throw ExchangeError(message(failure, bytes: bytes[(start + failure.offset)...], offset: start + failure.offset, line: nil))
        }
    }

    /// GB18030 bytes as a string, through Glibc's iconv.
    public static func gb18030(_ bytes: [UInt8]) throws -> String {
        var decoder = try TextDecoder(.gb18030)
        do {
            let text = try decoder.decode(bytes[...])
            return String(decoding: text, as: UTF8.self)
        } catch let failure as TextDecoder.Failure {
            throw ExchangeError(message(failure, bytes: bytes[failure.offset...], offset: failure.offset, line: nil))
        }
    }

    /// What is wrong with bytes that do not decode: the first few bytes, the offset in the file and,
    /// when it is known, the line; and what to do.
    static func message(_ failure: TextDecoder.Failure, bytes: some Collection<UInt8>, offset: Int, line: Int?) -> String {
        let sample = bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
        let at = "bytes \(sample) at offset \(offset)" + (line.map { " (line \($0))" } ?? "")
        switch failure.encoding {
        case .utf8BOM:
            return "the file starts with a UTF-8 byte-order mark but \(at) are not UTF-8; save it again as \"CSV UTF-8\""
        case .utf8:
            return "the file's first lines are UTF-8 but \(at) are not: it mixes encodings; save it again as \"CSV UTF-8\""
        case .utf16:
            return "the file starts with a UTF-16 byte-order mark but \(at) are not valid UTF-16; save it again as \"CSV UTF-8\""
        case .gb18030:
            return "the file is neither UTF-8 nor GB18030: \(at) are not valid; save it as \"CSV UTF-8\""
        }
    }

    /// The offset of the first byte that does not belong to a UTF-8 character, nil when they all do.
    static func firstInvalidUTF8(_ bytes: some Collection<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

/// Turns a file's bytes into UTF-8 piece by piece once its encoding is known. A UTF-8 or GB18030
/// piece must end after a line break (an LF or CR byte never occurs inside a character in either),
/// so each piece decodes on its own; a UTF-16 piece may end anywhere, and the bytes of a character
/// cut off are kept for the next.
struct TextDecoder {
    struct Failure: Error {
        let encoding: TextEncoding
        /// The offset of the first byte that does not decode, in the piece.
        let offset: Int
    }

    let encoding: TextEncoding
    private let iconv: Iconv?
    private var carry: [UInt8] = []
    private var atStart = true

    init(_ encoding: TextEncoding) throws {
        self.encoding = encoding
        switch encoding {
        case .utf8, .utf8BOM: iconv = nil
        case .gb18030: iconv = try Iconv(from: "GB18030", to: "UTF-8")
        case .utf16: iconv = try Iconv(from: "UTF-16", to: "UTF-8")
        }
    }

    /// The UTF-8 bytes of `piece`.
    mutating func decode(_ piece: ArraySlice<UInt8>) throws -> [UInt8] {
        guard let iconv else {
            // Valid UTF-8 on the fast path: the standard library's validation, without a copy.
            if piece.withContiguousStorageIfAvailable({ String(validating: $0, as: UTF8.self) != nil }) ?? false { return Array(piece) }
            if let bad = TextDecoding.firstInvalidUTF8(piece) { throw Failure(encoding: encoding, offset: bad) }
            return Array(piece)
        }
        let input = carry.isEmpty ? piece : ArraySlice(carry + piece)
        var result = iconv.convert(input)
        carry = []
        switch result.stop {
        case .none: break
        case .incomplete where encoding == .utf16: carry = Array(input[(input.startIndex + result.consumed)...])
        case .incomplete, .invalid: throw Failure(encoding: encoding, offset: max(0, result.consumed - (input.count - piece.count)))
        }
        // The byte-order mark, if iconv passed it on.
        if atStart, !result.output.isEmpty {
            atStart = false
            if result.output.starts(with: [0xEF, 0xBB, 0xBF]) { result.output.removeFirst(3) }
        }
        return result.output
    }

    /// The end of the file: bytes of a character cut off are an error.
    func finish() throws {
        if !carry.isEmpty {
            throw ExchangeError("the file starts with a UTF-16 byte-order mark but ends in the middle of a character; save it again as \"CSV UTF-8\"")
        }
    }
}

/// A conversion of Glibc's iconv, kept open across the pieces of one file (a UTF-16 converter
/// remembers the byte order its mark gave).
final class Iconv {
    enum Stop { case none, invalid, incomplete }
    private let cd: iconv_t

    init(from: String, to: String) throws {
        cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { throw ExchangeError("iconv cannot convert \(from) to \(to) on this system") }
    }

    deinit { iconv_close(cd) }

    /// Converts `input`: the output, how many bytes were consumed, and why it stopped before the end.
    func convert(_ input: ArraySlice<UInt8>) -> (output: [UInt8], consumed: Int, stop: Stop) {
        if input.isEmpty { return ([], 0, .none) }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var inLeft = input.count
        var outLeft = output.count
        var failure: Int32 = 0
        input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: inBuffer.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress)?
                    .assumingMemoryBound(to: CChar.self)
                if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { failure = errno }
            }
        }
        output.removeLast(outLeft)
        let stop: Stop = failure == 0 ? .none : failure == EINVAL ? .incomplete : .invalid
        return (output, input.count - inLeft, stop)
    }
}
