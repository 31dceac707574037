import CZlib // zlib, through ZIPFoundation's system-library target (no new dependency)
import Foundation
import LinkageModel

/// The entries of an XLSX file (a ZIP archive), read with limits so that a damaged or hostile file
/// is refused whole, quickly and in bounded memory.
///
/// ZIPFoundation's streaming `extract(_:consumer:)` computes an entry's CRC-32 but never compares
/// it with the archive's, and on Linux it keeps reading past an entry's packed size (and loops
/// without end once the file is exhausted) when a deflate stream does not finish: a damaged entry
/// then yields a prefix of its rows and no error. So the directory and the entries are read here:
/// every offset checked against the file, the packed bytes bounded by the entry's declared size,
/// inflation stopped as soon as a limit is passed, and size and CRC-32 compared at the end.
/// How much of a workbook linkage reads before refusing it. A real worksheet packs 5 to 20
/// times; a zip bomb a thousand. The ratio applies beyond `ratioGrace`, so small entries never
/// trip it. The cells bound the table a sheet makes (its non-blank rows by its used columns), the
/// non-empty cells read and the shared strings: 100,000 households of 50 columns fit.
public struct XLSXLimits: Sendable {
    public var entryBytes = 256 << 20
    public var totalBytes = 512 << 20
    public var ratio = 100
    public var ratioGrace = 10 << 20
    public var cells = 5_000_000
    public init() {}

    /// The unpacking limits, named for a message.
    var unpackingDescription: String {
        func amount(_ n: Int) -> String { n % (1 << 20) == 0 ? "\(n >> 20) MiB" : XLSXArchive.size(n) }
        return "at most \(ratio) times its packed size beyond the first \(amount(ratioGrace)), "
            + "\(amount(entryBytes)) an entry and \(amount(totalBytes)) in all"
    }
}

struct XLSXArchive {
    struct Entry {
        let path: String
        let method: UInt16
        let flags: UInt16
        let crc: UInt32
        let packedSize: Int
        let size: Int
        let localHeader: Int
    }

    /// What to do about a damaged archive, for every message that says so.
    static let damagedHint = "the file is damaged: open it in Excel or WPS and save it again as .xlsx, or get a fresh copy"

    let file: String
    let data: Data
    let limits: XLSXLimits
    private(set) var entries: [Entry] = []
    private var byPath: [String: Int] = [:]
    private(set) var unpackedBytes = 0

    /// Reads the central directory; a file that is not a ZIP archive is an `ExchangeError` naming
    /// what is missing.
    init(data: Data, file: String, limits: XLSXLimits = XLSXLimits()) throws {
        self.data = data
        self.file = file
        self.limits = limits
        let notZip = "\(file) is not an XLSX file (it is not a ZIP archive); save it from Excel as \"Excel Workbook (*.xlsx)\""
        guard let end = Self.endOfCentralDirectory(data) else { throw ExchangeError(notZip) }
        let disk = u16(end + 4), cdDisk = u16(end + 6)
        let count = u16(end + 10), size = Int(u32(end + 12)), offset = Int(u32(end + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            throw ExchangeError("\(file) is a ZIP64 archive, which linkage does not read (a workbook is far smaller than 4 GB); save it again from Excel as .xlsx")
        }
        guard disk == 0, cdDisk == 0 else { throw ExchangeError("\(file) is one part of a split ZIP archive; join the parts first") }
        guard offset + size <= end else { throw ExchangeError("\(file): the ZIP directory lies outside the file; \(Self.damagedHint)") }
        var p = offset
        for n in 0..<Int(count) {
            guard p + 46 <= offset + size, u32(p) == 0x0201_4B50 else {
                throw ExchangeError("\(file): ZIP directory record \(n + 1) of \(count) is damaged; \(Self.damagedHint)")
            }
            let nameLength = Int(u16(p + 28)), extraLength = Int(u16(p + 30)), commentLength = Int(u16(p + 32))
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= offset + size else {
                throw ExchangeError("\(file): ZIP directory record \(n + 1) of \(count) runs past the directory; \(Self.damagedHint)")
            }
            let path = String(decoding: data[data.startIndex + p + 46 ..< data.startIndex + p + 46 + nameLength], as: UTF8.self)
            let entry = Entry(path: path, method: u16(p + 10), flags: u16(p + 8), crc: u32(p + 16),
                              packedSize: Int(u32(p + 20)), size: Int(u32(p + 24)), localHeader: Int(u32(p + 42)))
            if byPath[path] != nil {
                throw ExchangeError("\(file): the ZIP archive has two entries named \(path); \(Self.damagedHint)")
            }
            byPath[path] = entries.count
            entries.append(entry)
            p = next
        }
    }

    /// The unpacked bytes of the entry at `path` (matched exactly, else ignoring case, as OPC part
    /// names are), or nil when the archive has none.
    mutating func read(_ path: String) throws -> Data? {
        let index = byPath[path] ?? entries.firstIndex { $0.path.lowercased() == path.lowercased() }
        guard let index else { return nil }
        let e = entries[index]
        let place = "\(file): the zip entry \(e.path)"
        guard e.flags & 1 == 0 else {
            throw ExchangeError("\(file) is encrypted (protected by a password); remove the password in Excel (File › Info › Protect Workbook) and save it again")
        }
        guard e.method == 0 || e.method == 8 else {
            throw ExchangeError("\(place) is packed with ZIP method \(e.method), which linkage does not read (only stored and deflated); save the file again from Excel")
        }
        // The data follows the local header, whose name and extra field may differ in length from the directory's.
        let h = e.localHeader
        guard h + 30 <= data.count, u32(h) == 0x0403_4B50 else {
            throw ExchangeError("\(place) has no local header where the directory says; \(Self.damagedHint)")
        }
        let start = h + 30 + Int(u16(h + 26)) + Int(u16(h + 28))
        guard start + e.packedSize <= data.count else {
            throw ExchangeError("\(place) runs past the end of the file; \(Self.damagedHint)")
        }
        let limit = min(limits.entryBytes, max(limits.ratioGrace, limits.ratio.multipliedReportingOverflow(by: e.packedSize).partialValue),
                        limits.totalBytes - unpackedBytes)
        func tooLarge(_ bytes: Int) -> ExchangeError {
            ExchangeError("\(place) unpacks to \(Self.size(bytes)) from \(Self.size(e.packedSize)) packed, "
                + "more than linkage reads (\(limits.unpackingDescription)); the file is damaged or made to exhaust memory (a zip bomb). "
                + "Save the sheet again from Excel; if it really is this large, split it into several files")
        }
        // The declared size refuses an honest bomb before any work; the running count a lying one.
        guard e.size <= limit else { throw tooLarge(e.size) }
        let packed = data[data.startIndex + start ..< data.startIndex + start + e.packedSize]
        let unpacked: Data
        if e.method == 0 {
            guard e.packedSize == e.size else {
                throw ExchangeError("\(place) is stored unpacked, but its packed and unpacked sizes differ (\(e.packedSize) and \(e.size)); \(Self.damagedHint)")
            }
            unpacked = Data(packed)
        } else {
            unpacked = try Self.inflate(packed, expected: e.size, place: place)
        }
        let crc = unpacked.withUnsafeBytes { buffer in
            UInt32(crc32(0, buffer.bindMemory(to: Bytef.self).baseAddress, uInt(buffer.count)))
        }
        guard crc == e.crc else {
            throw ExchangeError("\(place) is damaged: its CRC-32 checksum is \(String(format: "%08x", crc)) where the archive says \(String(format: "%08x", e.crc)); "
                + "the file was corrupted in copying or download: get a fresh copy, or open it in Excel and save it again")
        }
        unpackedBytes += unpacked.count
        return unpacked
    }

    /// Inflates a raw deflate stream that must unpack to exactly `expected` bytes: more is refused
    /// as soon as it appears, a stream that stops early or runs past its packed bytes is damaged.
    static func inflate(_ packed: Data, expected: Int, place: String) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ExchangeError("\(place): zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var out = Data(count: expected + 1) // one spare byte: room to notice a stream longer than declared
        var status: Int32 = Z_OK
        let produced: Int = packed.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(output.count)
                // With all the input and all the room given at once, inflate runs until the stream
                // ends, the room is full, or the data is wrong; Z_BUF_ERROR means it needs more of either.
                repeat { status = CZlib.inflate(&stream, Z_FINISH) } while status == Z_OK
                return output.count - Int(stream.avail_out)
            }
        }
        if produced > expected {
            throw ExchangeError("\(place) unpacks to more than the \(size(expected)) its directory declares; \(damagedHint)")
        }
        switch status {
        case Z_STREAM_END:
            guard produced == expected else {
                throw ExchangeError("\(place) unpacks to \(size(produced)) where its directory declares \(size(expected)); \(damagedHint)")
            }
            return out.prefix(produced)
        case Z_BUF_ERROR:
            throw ExchangeError("\(place) is cut short: its packed data ends before its contents do; \(damagedHint)")
        default:
            let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw ExchangeError("\(place) is damaged (\(reason)); \(damagedHint)")
        }
    }

    /// The offset of the end-of-central-directory record: the last signature whose comment length
    /// reaches exactly to the end of the file.
    static func endOfCentralDirectory(_ data: Data) -> Int? {
        guard data.count >= 22 else { return nil }
        let lowest = max(0, data.count - 22 - 0xFFFF)
        var p = data.count - 22
        while p >= lowest {
            if le32(data, p) == 0x0605_4B50, p + 22 + Int(le16(data, p + 20)) == data.count { return p }
            p -= 1
        }
        return nil
    }

    /// "524,288,000 bytes (500.0 MiB)": exact, and readable at a glance.
    static func size(_ bytes: Int) -> String {
        var digits = String(bytes), grouped = ""
        while digits.count > 3 { grouped = "," + digits.suffix(3) + grouped; digits.removeLast(3) }
        let exact = digits + grouped + " bytes"
        return bytes < 1 << 20 ? exact : exact + String(format: " (%.1f MiB)", Double(bytes) / Double(1 << 20))
    }

    private func u16(_ offset: Int) -> UInt16 { Self.le16(data, offset) }
    private func u32(_ offset: Int) -> UInt32 { Self.le32(data, offset) }

    static func le16(_ data: Data, _ offset: Int) -> UInt16 {
        let i = data.startIndex + offset
        return UInt16(data[i]) | UInt16(data[i + 1]) << 8
    }

    static func le32(_ data: Data, _ offset: Int) -> UInt32 {
        UInt32(le16(data, offset)) | UInt32(le16(data, offset + 2)) << 16
    }
}
