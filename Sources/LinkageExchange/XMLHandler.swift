import Foundation
import LinkageModel
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A delegate of XMLParser that turns every way a part of a workbook can be wrong into an
/// `ExchangeError`: bytes that are not UTF-8 (FoundationXML traps on them), a DTD (a workbook has
/// none, and entities are how XML is made to explode), processing instructions past the XML
/// declaration (a workbook has none, and FoundationXML dereferences NULL on an empty one, `<?pi?>`),
/// malformed or cut-off XML, and what a
/// subclass finds wrong in well-formed XML (`fail`). Subclasses override `start`, `end` and
/// `characters` (on Linux XMLParser calls only what the conforming class itself implements),
/// given element names without their namespace prefix.
class XMLHandler: NSObject, XMLParserDelegate {
    private(set) var failure: String?
    /// Open elements, and whether the root was seen: FoundationXML reports no error for XML that
    /// stops in the middle, so a part is complete only when its root element has closed.
    private var depth = 0, sawRoot = false

    /// Stops the parse; `run` throws `message`, the first one given.
    func fail(_ parser: XMLParser, _ message: String) {
        if failure == nil { failure = message }
        parser.abortParsing()
    }

    func start(_ parser: XMLParser, _ name: String, _ attributes: [String: String]) {}
    func end(_ parser: XMLParser, _ name: String) {}
    func characters(_ string: String) {}

    final func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                      qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        depth += 1
        sawRoot = true
        start(parser, xmlLocalName(elementName), attributeDict)
    }

    final func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        depth -= 1
        end(parser, xmlLocalName(elementName))
    }

    final func parser(_ parser: XMLParser, foundCharacters string: String) { characters(string) }

    /// Parses `data`; `place` says in a message which file and part it is ("f.xlsx: the styles (xl/styles.xml)").
    func run(_ data: Data, place: String) throws {
        if let offset = Self.invalidUTF8(data) {
            throw ExchangeError("\(place): byte \(offset) is not UTF-8, as the XML of a workbook always is; \(XLSXArchive.damagedHint)")
        }
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil {
            throw ExchangeError("\(place) declares a document type (<!DOCTYPE …>), which no workbook has; linkage does not read such XML. \(XLSXArchive.damagedHint)")
        }
        if let offset = Self.processingInstruction(data) {
            throw ExchangeError("\(place): byte \(offset) begins an XML processing instruction (<?…?>), which a workbook has only as its first line; \(XLSXArchive.damagedHint)")
        }
        let parser = XMLParser(data: data)
        parser.delegate = self
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if let failure { throw ExchangeError("\(place): \(failure); \(XLSXArchive.damagedHint)") }
        let cutShort = "the XML ends before its elements are closed (the part is cut short)"
        if ok, !sawRoot || depth != 0 {
            throw ExchangeError("\(place), line \(parser.lineNumber): \(sawRoot ? cutShort : "the part has no XML element"); \(XLSXArchive.damagedHint)")
        }
        guard ok else {
            let code = (parser.parserError as NSError?)?.code ?? 0
            let what = code == XMLParser.ErrorCode.prematureDocumentEndError.rawValue ? cutShort : "the XML is malformed (XMLParser error \(code))"
            throw ExchangeError("\(place), line \(parser.lineNumber), column \(parser.columnNumber): \(what); \(XLSXArchive.damagedHint)")
        }
    }

    /// The offset of the first `<?` that is not the XML declaration opening the part (after a
    /// byte-order mark, if any). `<?` cannot stand in text or attributes, where `<` is escaped.
    static func processingInstruction(_ data: Data) -> Int? {
        let open = Data("<?".utf8)
        var from = data.startIndex
        while let r = data.range(of: open, in: from..<data.endIndex) {
            let offset = r.lowerBound - data.startIndex
            // "<?xml" then white space: "<?xml?>" is a processing instruction named xml, and traps too.
            let name = data[r.upperBound...].prefix(4)
            let isDeclaration = (offset == 0 || (offset == 3 && data.starts(with: [0xEF, 0xBB, 0xBF])))
                && name.starts(with: Data("xml".utf8)) && name.count == 4 && [0x20, 0x09, 0x0D, 0x0A].contains(name.last!)
            if !isDeclaration { return offset }
            from = r.upperBound
        }
        return nil
    }

    /// The offset of the first byte that does not belong to valid UTF-8, if any. Validated a
    /// megabyte at a time (cut before a continuation byte) so a large part is not copied whole.
    static func invalidUTF8(_ data: Data) -> Int? {
        data.withUnsafeBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = min(bytes.count, start + (1 << 20))
                // A chunk ends before a continuation byte (10xxxxxx) so no character is split.
                var back = 0
                while end < bytes.count, back < 3, bytes[end] & 0xC0 == 0x80 { end -= 1; back += 1 }
                let chunk = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if String(validating: chunk, as: UTF8.self) == nil {
                    // Find the byte: decode scalar by scalar within the chunk.
                    var iterator = chunk.makeIterator(), decoder = UTF8(), consumed = start
                    while case .scalarValue(let s) = decoder.decode(&iterator) { consumed += UTF8.width(s) }
                    return consumed
                }
                start = end
            }
            return nil
        }
    }
}
