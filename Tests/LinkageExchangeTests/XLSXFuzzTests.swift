import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageSample
@testable import LinkageExchange

/// Mutated copies of a valid workbook, each read as `linkage import` reads it and, when it reads,
/// checked by a dry-run import: every case ends in a table or an ExchangeError, never a trap. A
/// few hundred fixed cases run always; LINKAGE_FUZZ_ITERATIONS=N runs N (LINKAGE_FUZZ_SEED moves them),
/// and LINKAGE_FUZZ_DUMP=DIR writes each case there first, so the last file is the one that crashed.
final class XLSXFuzzTests: ExchangeTestCase {
    /// Text that the XML edits insert: what readers trip on.
    static let tokens = [
        #"<row r="1000000000">"#, #"<row r="0">"#, #"<row>"#, "</row>", #"<c r="AAAAAAAAAAAAAA2">"#, #"<c r="XFD1048576">"#,
        #"<c t="s"><v>-1</v></c>"#, #"<c t="s"><v>99</v></c>"#, #"<c><v>nan</v></c>"#, #"<c><v>1e308</v></c>"#, #"<c t="b"><v>7</v></c>"#,
        #"<mergeCell ref="C2:A5"/>"#, #"<mergeCell ref="A1:XFD1048576"/>"#, #"<mergeCell ref=":"/>"#, "<mergeCells>", "</c>",
        "&#0;", "&#xD800;", "&amp;", "&bogus;", "<![CDATA[x]]>", "<!DOCTYPE x>", "<?pi?>", "\u{0}", "\u{1B}[31m", "身份证",
        #"<is><t>"#, "</t></is>", #" t="inlineStr""#, #" s="99999999999999999999""#, "<<", ">", #"""#, "xmlns:x=\"y\"",
    ]

    func testMutatedWorkbooksAreReadOrRefusedNeverACrash() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["LINKAGE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 400
        let seed = environment["LINKAGE_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED
        let parts = TestWorkbook.parts()
        let zipped = TestWorkbook.zip()
        var read = 0, refused = 0
        let start = Date()
        for i in 0..<iterations {
            var rng = SampleRandom(seed: seed, stream: UInt64(i)) // the model's seeded generator
            let data: Data
            switch i % 4 {
            case 0: data = Self.flipBytes(zipped, using: &rng)
            case 1: data = Self.cut(zipped, using: &rng)
            case 2: data = Self.rezip(parts, using: &rng) { Self.flipBytes($0, using: &$1) }
            default: data = Self.rezip(parts, using: &rng) { Self.editXML($0, using: &$1) }
            }
            if let dump = environment["LINKAGE_FUZZ_DUMP"] { try data.write(to: URL(fileURLWithPath: "\(dump)/case-\(i).xlsx")) }
            do {
                let table = try InputTable.xlsx(data: data, file: "case-\(i).xlsx")
                _ = try Importer.run(table, kind: .households, register: register, update: false, dryRun: true,
                                     audit: AuditSource(osUser: "tester", source: "fuzz"))
                read += 1
            } catch is ExchangeError {
                refused += 1
            } catch {
                XCTFail("case \(i) (seed \(seed)) ended in \(type(of: error)), not a table or an ExchangeError: \(error)")
            }
        }
        // Both outcomes occur, or the mutations are too weak (or too strong) to test anything.
        XCTAssertGreaterThan(read, iterations / 20, "\(read) read, \(refused) refused")
        XCTAssertGreaterThan(refused, iterations / 4, "\(read) read, \(refused) refused")
        print("fuzz: \(iterations) cases, \(read) read, \(refused) refused in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    /// One to eight bytes set to random values.
    static func flipBytes(_ data: Data, using rng: inout SampleRandom) -> Data {
        var out = data
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            out[Int.random(in: 0..<out.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        return out
    }

    /// The archive cut short, or with a span taken out of its middle (its directory kept).
    static func cut(_ data: Data, using rng: inout SampleRandom) -> Data {
        let a = Int.random(in: 0..<data.count, using: &rng)
        if Bool.random(using: &rng) { return data.prefix(a) }
        let b = min(data.count, a + Int.random(in: 1...64, using: &rng))
        return data.prefix(a) + data.suffix(from: b)
    }

    /// The workbook zipped again (with true CRCs, so the damage reaches the XML) after `mutate`
    /// changes one part: the sheet most often.
    static func rezip(_ parts: [(String, Data)], using rng: inout SampleRandom,
                      _ mutate: (Data, inout SampleRandom) -> Data) -> Data {
        let target = Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 0..<parts.count, using: &rng) : parts.count - 1
        let deflate = Bool.random(using: &rng)
        return TestZip.archive(parts.enumerated().map { i, part in
            TestZip.Entry(name: part.0, data: i == target ? mutate(part.1, &rng) : part.1, deflate: deflate)
        })
    }

    /// One to three edits of the XML: a span deleted or repeated, a token inserted, a number changed.
    static func editXML(_ data: Data, using rng: inout SampleRandom) -> Data {
        var bytes = [UInt8](data)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !bytes.isEmpty else { break }
            let a = Int.random(in: 0..<bytes.count, using: &rng)
            let b = min(bytes.count, a + Int.random(in: 1...40, using: &rng))
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes.removeSubrange(a..<b)
            case 1: bytes.insert(contentsOf: bytes[a..<b], at: b)
            case 2: bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: a)
            default:
                if let digit = bytes[a...].firstIndex(where: { (48...57).contains($0) }) {
                    bytes.replaceSubrange(digit...digit, with: Array(["-1", "0", "1048577", "16385", "99999999999", "00"].randomElement(using: &rng)!.utf8))
                }
            }
        }
        return Data(bytes)
    }
}
