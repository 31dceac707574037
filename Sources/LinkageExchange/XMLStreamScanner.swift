import Foundation
import LinkageModel

/// What an `XMLStreamScanner` reports, for a handler that reads one kind of part (a worksheet).
/// Names are local (without their namespace prefix) and given as bytes, valid during the call.
protocol XMLScanHandler {
    mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ tag: XMLTag) throws
    mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws
    /// Whether `text` is wanted now: text nobody reads is only checked, not decoded.
    var wantsText: Bool { get }
    /// Character data (entities decoded, line ends made `\n`), in as many pieces as it comes.
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws
}

/// A failure the scanner found in the XML: what, and where (a byte offset, a line and a column).
struct XMLScanError: Error {
    enum Kind { case malformed, cutShort, noElement, notUTF8, documentType, processingInstruction, handler }
    let kind: Kind
    let message: String
    var offset = 0, line = 0, column = 0

    /// The message for a part: `place` names the file and the part.
    func exchangeError(place: String) -> ExchangeError {
        let hint = XLSXArchive.damagedHint
        switch kind {
        case .notUTF8: return ExchangeError("\(place): byte \(offset) is not UTF-8, as the XML of a workbook always is; \(hint)")
        case .documentType: return ExchangeError("\(place) declares a document type (<!DOCTYPE …>), which no workbook has; linkage does not read such XML. \(hint)")
        case .processingInstruction:
            return ExchangeError("\(place): byte \(offset) begins an XML processing instruction (<?…?>), which a workbook has only as its first line; \(hint)")
        case .handler: return ExchangeError("\(place): \(message); \(hint)")
        case .cutShort: return ExchangeError("\(place), line \(line): the XML ends before its elements are closed (the part is cut short); \(hint)")
        case .noElement: return ExchangeError("\(place), line \(line): the part has no XML element; \(hint)")
        case .malformed: return ExchangeError("\(place), line \(line), column \(column): the XML is malformed (\(message)); \(hint)")
        }
    }
}

/// The attributes of a start tag, looked up by qualified name and decoded on demand.
struct XMLTag {
    fileprivate var base: UnsafePointer<UInt8>
    /// (name start, name end, value start, value end) offsets from `base`.
    fileprivate var spans: [(Int, Int, Int, Int)] = []

    /// The raw (undecoded) value of the attribute `name`.
    func raw(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        let want = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        for (ns, ne, vs, ve) in spans where ne - ns == want.count && memcmp(base + ns, want.baseAddress!, want.count) == 0 {
            return UnsafeBufferPointer(start: base + vs, count: ve - vs)
        }
        return nil
    }

    /// The value of the attribute `name`, entities decoded and white space normalised as XML does.
    func value(_ name: StaticString) throws -> String? {
        guard let raw = raw(name) else { return nil }
        if !raw.contains(where: { $0 == UInt8(ascii: "&") || $0 < 0x20 }) { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        try XMLStreamScanner<NoHandler>.decode(raw, into: &out, attribute: true)
        return String(decoding: out, as: UTF8.self)
    }
}

/// A handler that takes nothing (to name the scanner's static helpers).
struct NoHandler: XMLScanHandler {
    mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ tag: XMLTag) throws {}
    mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws {}
    var wantsText: Bool { false }
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws {}
}

/// A streaming XML scanner for the parts of a workbook: fed the unpacked bytes a piece at a time
/// (``feed(_:)``, then ``finish()``), it reports elements and text to its handler as they close,
/// holding only the markup not yet complete. It reads the XML a workbook is written in and refuses
/// the rest as FoundationXML's XMLParser would, with the same messages: bytes that are not UTF-8, a
/// DOCTYPE (entities are how XML is made to explode), processing instructions past the XML
/// declaration, tags that do not match or are not well formed, unknown entities, characters XML does
/// not allow, text outside the root element, a part cut short. Faster than XMLParser on a sheet
/// (no dictionary and no strings per element) and never holds the part.
struct XMLStreamScanner<Handler: XMLScanHandler> {
    var handler: Handler
    /// Bytes not yet scanned: an incomplete tag, entity or line end waits here for the next piece.
    private var buffer: [UInt8] = []
    /// The offset in the part of `buffer[0]`, and the line it is on and where that line starts.
    private var base = 0, line = 1, lineStart = 0
    /// The open elements' qualified names, one after another, and where each starts.
    private var names: [UInt8] = []
    private var nameStarts: [Int] = []
    private var sawRoot = false, rootClosed = false
    /// Whether the part begins with a byte-order mark (skipped, as XML allows).
    private var byteOrderMark = false
    /// UTF-8 not yet validated: the start of a character cut by the end of a piece.
    private var pendingUTF8: [UInt8] = []
    private var validated = 0
    private var scratch: [UInt8] = []
    private var spans: [(Int, Int, Int, Int)] = []

    /// The longest tag, comment or entity held waiting for its end: a workbook's are short.
    static var longestMarkup: Int { 4 << 20 }

    init(handler: Handler) { self.handler = handler }

    mutating func feed(_ piece: UnsafeBufferPointer<UInt8>) throws {
        try validateUTF8(piece)
        buffer.append(contentsOf: piece)
        try scan(final: false)
    }

    mutating func finish() throws {
        try validateUTF8(UnsafeBufferPointer(start: nil, count: 0), final: true)
        try scan(final: true)
        if !buffer.isEmpty {
            if buffer.allSatisfy(xmlIsSpace) { buffer.removeAll() } else { throw error(.cutShort, "", at: 0) }
        }
        guard sawRoot else { throw error(.noElement, "", at: 0) }
        guard nameStarts.isEmpty else { throw error(.cutShort, "", at: 0) }
    }

    // MARK: UTF-8

    private mutating func validateUTF8(_ piece: UnsafeBufferPointer<UInt8>, final: Bool = false) throws {
        var bytes = pendingUTF8
        pendingUTF8.removeAll()
        if bytes.isEmpty && !final {
            try validate(piece, cut: true)
        } else {
            bytes.append(contentsOf: piece)
            try bytes.withUnsafeBufferPointer { try validate($0, cut: !final) }
        }
    }

    /// Validates `bytes`, keeping (when `cut`) a character the end of the piece cuts for the next.
    private mutating func validate(_ bytes: UnsafeBufferPointer<UInt8>, cut: Bool) throws {
        var end = bytes.count
        if cut {
            // Back to the lead byte of the last character, if it may be incomplete.
            var back = 0
            while back < 4, end - back - 1 >= 0, bytes[end - back - 1] & 0xC0 == 0x80 { back += 1 }
            if end - back - 1 >= 0, bytes[end - back - 1] >= 0xC0 { back += 1 }
            end -= back
            pendingUTF8 = Array(bytes[end...])
        }
        let whole = UnsafeBufferPointer(rebasing: bytes[..<end])
        if String(validating: whole, as: UTF8.self) == nil {
            var iterator = whole.makeIterator(), decoder = UTF8(), consumed = 0
            while case .scalarValue(let s) = decoder.decode(&iterator) { consumed += UTF8.width(s) }
            throw XMLScanError(kind: .notUTF8, message: "", offset: validated + consumed)
        }
        validated += end
    }

    // MARK: scanning

    private static func isSpace(_ b: UInt8) -> Bool { xmlIsSpace(b) }

    private func error(_ kind: XMLScanError.Kind, _ message: String, at index: Int) -> XMLScanError {
        var line = self.line, lineStart = self.lineStart
        for i in 0..<min(index, buffer.count) where buffer[i] == 0x0A { line += 1; lineStart = base + i + 1 }
        return XMLScanError(kind: kind, message: message, offset: base + index, line: line, column: base + index - lineStart + 1)
    }

    /// Moves the line count past `buffer[..<end]` (memchr: most parts have one line).
    private mutating func countLines(upTo end: Int) {
        buffer.withUnsafeBufferPointer { b in
            var from = 0
            while from < end, let p = memchr(b.baseAddress! + from, 0x0A, end - from) {
                let i = b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                line += 1
                lineStart = base + i + 1
                from = i + 1
            }
        }
    }

    private mutating func scan(final: Bool) throws {
        var pos = 0
        defer {
            // What was scanned is let go; the line count moves past it.
            if pos > 0 {
                countLines(upTo: pos)
                buffer.removeSubrange(0..<pos)
                base += pos
            }
        }
        let count = buffer.count
        if base == 0 && !byteOrderMark && !sawRoot && count > 0 && buffer[0] == 0xEF {
            let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
            if count < 3 && !final && buffer.elementsEqual(mark.prefix(count)) { return } // the rest of it comes next
            if count >= 3 && buffer[1] == 0xBB && buffer[2] == 0xBF {
                byteOrderMark = true
                pos = 3
            }
        }
        while pos < count {
            if buffer[pos] == UInt8(ascii: "<") {
                guard let next = try markup(at: pos, final: final) else { break }
                pos = next
            } else {
                let lt = buffer.withUnsafeBufferPointer { b -> Int in
                    guard let p = memchr(b.baseAddress! + pos, Int32(UInt8(ascii: "<")), count - pos) else { return count }
                    return b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                }
                var end = lt
                if lt == count && !final {
                    // Keep an entity or a carriage return that the next piece may complete.
                    var i = count - 1
                    while i >= pos, count - i <= 16, buffer[i] != UInt8(ascii: ";") {
                        if buffer[i] == UInt8(ascii: "&") { end = i; break }
                        i -= 1
                    }
                    if end == count, buffer[count - 1] == 0x0D { end = count - 1 }
                }
                if end > pos { try text(pos, end) }
                pos = end
                if lt == count { break }
            }
        }
        if pos < count, count - pos > Self.longestMarkup {
            throw error(.malformed, "markup longer than \(Self.longestMarkup >> 20) MiB", at: pos)
        }
    }

    /// Text between `from` and `to` in the buffer.
    private mutating func text(_ from: Int, _ to: Int) throws {
        if nameStarts.isEmpty {
            guard buffer[from..<to].allSatisfy(xmlIsSpace) else {
                throw error(.malformed, sawRoot ? "text after the root element" : "text before the root element", at: from)
            }
            return
        }
        let wants = handler.wantsText
        try buffer.withUnsafeBufferPointer { b in
            let slice = UnsafeBufferPointer(rebasing: b[from..<to])
            // Most text needs no decoding: it goes as it is.
            var plain = true
            for c in slice where c == UInt8(ascii: "&") || c < 0x20 { plain = false; break }
            if plain {
                if wants { try handler.text(slice) }
                return
            }
            scratch.removeAll(keepingCapacity: true)
            do { try Self.decode(slice, into: &scratch, attribute: false) } catch let e as XMLScanError {
                throw error(.malformed, e.message, at: from)
            }
            if wants { try scratch.withUnsafeBufferPointer { try handler.text($0) } }
        }
    }

    /// Decodes entities and character references; line ends become `\n` (in attribute values,
    /// white space becomes a space). A character XML does not allow is an error.
    static func decode(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], attribute: Bool) throws {
        var i = 0
        let n = raw.count
        while i < n {
            let c = raw[i]
            if c == UInt8(ascii: "&") {
                guard let semi = raw[(i + 1)...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                    throw XMLScanError(kind: .malformed, message: "an '&' that begins no entity (write &amp;)")
                }
                let name = raw[(i + 1)..<semi]
                switch String(decoding: name, as: UTF8.self) {
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "amp": out.append(UInt8(ascii: "&"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                case let s where s.hasPrefix("#"):
                    let digits = s.dropFirst()
                    let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                    guard let value, !digits.hasPrefix("+"), !digits.dropFirst().hasPrefix("+"), let scalar = Unicode.Scalar(value),
                          value == 0x09 || value == 0x0A || value == 0x0D || value >= 0x20, value != 0xFFFE, value != 0xFFFF else {
                        throw XMLScanError(kind: .malformed, message: "the character reference &\(s); is not a character XML allows")
                    }
                    out.append(contentsOf: String(scalar).utf8)
                default:
                    throw XMLScanError(kind: .malformed, message: "the entity &\(MessageText.quoted(String(decoding: name, as: UTF8.self))); is not defined")
                }
                i = semi + 1
                continue
            }
            if c < 0x20 {
                switch c {
                case 0x0D:
                    // CR LF and a lone CR are a line end.
                    out.append(attribute ? 0x20 : 0x0A)
                    if i + 1 < n, raw[i + 1] == 0x0A { i += 1 }
                case 0x0A, 0x09: out.append(attribute ? 0x20 : c)
                default:
                    throw XMLScanError(kind: .malformed, message: String(format: "the control character U+%04X, which XML does not allow", c))
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
    }

    /// Reads the markup that starts at `pos` (a `<`): returns where what follows it starts, or nil
    /// when the buffer does not hold all of it yet.
    private mutating func markup(at pos: Int, final: Bool) throws -> Int? {
        let count = buffer.count
        guard pos + 1 < count else { return final ? try cutShort(pos) : nil }
        let second = buffer[pos + 1]
        if second == UInt8(ascii: "!") {
            if starts(pos, "<!--") { return try until(pos, "-->", final: final) }
            if starts(pos, "<![CDATA[") {
                guard let end = try until(pos, "]]>", final: final) else { return nil }
                guard !nameStarts.isEmpty else { throw error(.malformed, "a CDATA section outside the root element", at: pos) }
                try cdata(from: pos + 9, to: end - 3)
                return end
            }
            if starts(pos, "<!DOCTYPE") { throw error(.documentType, "", at: pos) }
            if count - pos < 9 && !final { return nil }
            throw error(.malformed, "'<!' that begins no comment or CDATA section", at: pos)
        }
        if second == UInt8(ascii: "?") {
            // The XML declaration, only at the start (after a byte-order mark): any other is refused.
            let offset = base + pos
            guard count - pos >= 6 || final else { return nil }
            let atStart = offset == 0 || (offset == 3 && byteOrderMark)
            if atStart && starts(pos, "<?xml") && count - pos >= 6 && Self.isSpace(buffer[pos + 5]) {
                return try until(pos, "?>", final: final)
            }
            throw error(.processingInstruction, "", at: pos)
        }
        // A tag: its end is the first '>' outside quotes.
        var i = pos + 1, quote: UInt8 = 0
        while i < count {
            let c = buffer[i]
            if quote != 0 { if c == quote { quote = 0 } else if c == UInt8(ascii: "<") { break } }
            else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { quote = c }
            else if c == UInt8(ascii: ">") { break }
            i += 1
        }
        guard i < count else { return final ? try cutShort(pos) : nil }
        guard buffer[i] == UInt8(ascii: ">") else { throw error(.malformed, "'<' inside an attribute value", at: i) }
        if second == UInt8(ascii: "/") { try endTag(pos, i) } else { try startTag(pos, i) }
        return i + 1
    }

    private func cutShort(_ pos: Int) throws -> Int? { throw error(.cutShort, "", at: pos) }

    private func starts(_ pos: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard buffer.count - pos >= n else { return false }
        return buffer.withUnsafeBufferPointer { memcmp($0.baseAddress! + pos, s.utf8Start, n) == 0 }
    }

    /// The index just past the first `terminator` after `pos`, or nil when not yet in the buffer.
    private func until(_ pos: Int, _ terminator: StaticString, final: Bool) throws -> Int? {
        let n = terminator.utf8CodeUnitCount
        let found: Int? = buffer.withUnsafeBufferPointer { b in
            guard b.count - pos >= n else { return nil }
            // memchr for the first byte, then the rest compared (Glibc's memmem is a GNU extension).
            var from = pos + 2
            while from + n <= b.count, let p = memchr(b.baseAddress! + from, Int32(terminator.utf8Start[0]), b.count - from - n + 1) {
                let i = b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if memcmp(b.baseAddress! + i, terminator.utf8Start, n) == 0 { return i + n }
                from = i + 1
            }
            return nil
        }
        if let found { return found }
        return final ? try cutShort(pos) : nil
    }

    private mutating func cdata(from: Int, to: Int) throws {
        guard handler.wantsText else { return }
        scratch.removeAll(keepingCapacity: true)
        for i in from..<to {
            let c = buffer[i]
            if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
                throw error(.malformed, String(format: "the control character U+%04X, which XML does not allow", c), at: i)
            }
            if c == 0x0D { scratch.append(0x0A); if i + 1 < to, buffer[i + 1] == 0x0A { continue } ; continue }
            if c == 0x0A, i > from, buffer[i - 1] == 0x0D { continue }
            scratch.append(c)
        }
        try scratch.withUnsafeBufferPointer { try handler.text($0) }
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        !(isSpace(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: ">") || c == UInt8(ascii: "=") || c == UInt8(ascii: "<")
          || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "&"))
    }

    private static func isNameStart(_ c: UInt8) -> Bool {
        isNameByte(c) && !(c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) && c != UInt8(ascii: "-") && c != UInt8(ascii: ".")
    }

    /// `<name attr="v" …>` or `<name …/>`, between `pos` (the `<`) and `close` (the `>`).
    private mutating func startTag(_ pos: Int, _ close: Int) throws {
        guard !rootClosed else { throw error(.malformed, "a second root element", at: pos) }
        let selfClosing = buffer[close - 1] == UInt8(ascii: "/") && close - 1 > pos
        let end = selfClosing ? close - 1 : close
        var i = pos + 1
        guard i < end, Self.isNameStart(buffer[i]) else { throw error(.malformed, "a tag without a name", at: pos) }
        let nameStart = i
        while i < end, Self.isNameByte(buffer[i]) { i += 1 }
        let nameEnd = i
        spans.removeAll(keepingCapacity: true)
        while i < end {
            guard Self.isSpace(buffer[i]) else { throw error(.malformed, "attributes without white space between them", at: i) }
            while i < end, Self.isSpace(buffer[i]) { i += 1 }
            if i == end { break }
            guard Self.isNameStart(buffer[i]) else { throw error(.malformed, "an attribute without a name", at: i) }
            let an = i
            while i < end, Self.isNameByte(buffer[i]) { i += 1 }
            let ae = i
            while i < end, Self.isSpace(buffer[i]) { i += 1 }
            guard i < end, buffer[i] == UInt8(ascii: "=") else { throw error(.malformed, "an attribute without '='", at: i) }
            i += 1
            while i < end, Self.isSpace(buffer[i]) { i += 1 }
            guard i < end, buffer[i] == UInt8(ascii: "\"") || buffer[i] == UInt8(ascii: "'") else {
                throw error(.malformed, "an attribute value without quotes", at: i)
            }
            let quote = buffer[i]
            let vs = i + 1
            i = vs
            while i < end, buffer[i] != quote { i += 1 }
            guard i < end else { throw error(.malformed, "an attribute value that does not end", at: vs) }
            let ve = i
            i += 1
            for s in spans where s.1 - s.0 == ae - an && buffer[(pos + s.0)..<(pos + s.1)].elementsEqual(buffer[an..<ae]) {
                throw error(.malformed, "the attribute \(String(decoding: buffer[an..<ae], as: UTF8.self)) given twice", at: an)
            }
            spans.append((an - pos, ae - pos, vs - pos, ve - pos))
        }
        sawRoot = true
        nameStarts.append(names.count)
        names.append(contentsOf: buffer[nameStart..<nameEnd])
        let spansNow = spans
        try buffer.withUnsafeBufferPointer { b in
            let tag = XMLTag(base: b.baseAddress! + pos, spans: spansNow)
            do {
                try handler.start(Self.localName(UnsafeBufferPointer(rebasing: b[nameStart..<nameEnd])), tag)
                if selfClosing { try handler.end(Self.localName(UnsafeBufferPointer(rebasing: b[nameStart..<nameEnd]))) }
            } catch let e as XMLScanError where e.kind == .malformed {
                throw error(.malformed, e.message, at: pos)
            }
        }
        if selfClosing { closeElement() }
    }

    private mutating func closeElement() {
        names.removeSubrange(nameStarts.removeLast()...)
        if nameStarts.isEmpty { rootClosed = true }
    }

    /// `</name>` between `pos` and `close`: it must close the element open last.
    private mutating func endTag(_ pos: Int, _ close: Int) throws {
        var end = close
        while end > pos + 2, Self.isSpace(buffer[end - 1]) { end -= 1 }
        let name = buffer[(pos + 2)..<end]
        guard let open = nameStarts.last else { throw error(.malformed, "a closing tag with no element open", at: pos) }
        guard names[open...].elementsEqual(name) else {
            throw error(.malformed, "the closing tag </\(MessageText.quoted(String(decoding: name, as: UTF8.self)))> where <\(MessageText.quoted(String(decoding: names[open...], as: UTF8.self)))> is open", at: pos)
        }
        try buffer.withUnsafeBufferPointer { b in
            try handler.end(Self.localName(UnsafeBufferPointer(rebasing: b[(pos + 2)..<end])))
        }
        closeElement()
    }

    static func localName(_ name: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let colon = name.lastIndex(of: UInt8(ascii: ":")) else { return name }
        return UnsafeBufferPointer(rebasing: name[(colon + 1)...])
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether the bytes are those of `s`.
    func equals(_ s: StaticString) -> Bool {
        count == s.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, s.utf8Start, count) == 0)
    }
}

/// XML's white space: space, tab, line feed, carriage return.
func xmlIsSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
