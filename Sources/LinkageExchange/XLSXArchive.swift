import CZlib // zlib, through ZIPFoundation's system-library target (no new dependency)
import Foundation
import LinkageModel

/// How much of a workbook linkage reads before refusing it. A real worksheet packs 5 to 20
/// times; a zip bomb a thousand. The ratio applies to every entry beyond `ratioGrace`, so small
/// entries never trip it; it is what bounds the worksheet, which is read as a stream (a piece at a
/// time, never held), so its unpacked size costs time, not memory. The parts held in memory (the
/// workbook, its relationships, the shared strings and the styles) are bounded as well, by
/// `entryBytes` each and `totalBytes` together. `cells` bounds the cells held at once: a sheet read
/// whole (``XLSXReader/read(_:file:sheet:limits:)``: its non-blank rows by its used columns), a
/// batch of rows an import reads (``XLSXSheetStream/batchRows`` rows by the used columns), the
/// shared strings, and the cells merged ranges fill.
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
            + "\(amount(entryBytes)) an entry and \(amount(totalBytes)) in all for the parts held in memory (the sheet is read as a stream)"
    }
}

/// The entries of an XLSX file (a ZIP archive), read with limits so that a damaged or hostile file
/// is refused whole, quickly and in bounded memory.
///
/// ZIPFoundation's streaming `extract(_:consumer:)` computes an entry's CRC-32 but never compares
/// it with the archive's, and on Linux it keeps reading past an entry's packed size (and loops
/// without end once the file is exhausted) when a deflate stream does not finish: a damaged entry
/// then yields a prefix of its rows and no error. So the directory and the entries are read here:
/// every offset checked against the file, the packed bytes bounded by the entry's declared size,
/// inflation stopped as soon as a limit is passed, and size and CRC-32 compared at the end.
///
/// The archive is read from a file a piece at a time (its directory, then an entry's packed bytes
/// a MiB at a time), or from bytes in memory (a test's fixture): memory does not grow with the file.
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

    /// Where the archive's bytes are.
    enum Input: Sendable {
        case path(String)
        case data(Data)
    }

    /// What to do about a damaged archive, for every message that says so.
    static let damagedHint = "the file is damaged: open it in Excel or WPS and save it again as .xlsx, or get a fresh copy"

    /// The packed bytes read at a time from a file.
    static let pieceSize = 1 << 20

    let file: String
    let limits: XLSXLimits
    private let bytes: Bytes
    private(set) var entries: [Entry] = []
    private var byPath: [String: Int] = [:]
    private(set) var unpackedBytes = 0

    init(data: Data, file: String, limits: XLSXLimits = XLSXLimits()) throws {
        try self.init(.data(data), file: file, limits: limits)
    }

    /// Reads the central directory; a file that is not a ZIP archive is an `ExchangeError` naming
    /// what is missing.
    init(_ input: Input, file: String, limits: XLSXLimits = XLSXLimits()) throws {
        self.bytes = try Bytes(input, file: file)
        self.file = file
        self.limits = limits
        let notZip = "\(file) is not an XLSX file (it is not a ZIP archive); save it from Excel as \"Excel Workbook (*.xlsx)\""
        // The end record is within the last 64 KiB (its comment) and 22 bytes.
        let tailStart = max(0, bytes.count - 22 - 0xFFFF)
        let tail = try bytes.read(tailStart, bytes.count - tailStart)
        guard let endInTail = Self.endOfCentralDirectory(tail) else { throw ExchangeError(notZip) }
        let end = tailStart + endInTail
        func t16(_ o: Int) -> UInt16 { Self.le16(tail, endInTail + o) }
        func t32(_ o: Int) -> UInt32 { Self.le32(tail, endInTail + o) }
        let disk = t16(4), cdDisk = t16(6)
        let count = t16(10), size = Int(t32(12)), offset = Int(t32(16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            throw ExchangeError("\(file) is a ZIP64 archive, which linkage does not read (a workbook is far smaller than 4 GB); save it again from Excel as .xlsx")
        }
        guard disk == 0, cdDisk == 0 else { throw ExchangeError("\(file) is one part of a split ZIP archive; join the parts first") }
        guard offset + size <= end else { throw ExchangeError("\(file): the ZIP directory lies outside the file; \(Self.damagedHint)") }
        let directory = try bytes.read(offset, size)
        func d16(_ o: Int) -> UInt16 { Self.le16(directory, o) }
        func d32(_ o: Int) -> UInt32 { Self.le32(directory, o) }
        var p = 0
        for n in 0..<Int(count) {
            guard p + 46 <= size, d32(p) == 0x0201_4B50 else {
                throw ExchangeError("\(file): ZIP directory record \(n + 1) of \(count) is damaged; \(Self.damagedHint)")
            }
            let nameLength = Int(d16(p + 28)), extraLength = Int(d16(p + 30)), commentLength = Int(d16(p + 32))
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= size else {
                throw ExchangeError("\(file): ZIP directory record \(n + 1) of \(count) runs past the directory; \(Self.damagedHint)")
            }
            let path = String(decoding: directory[directory.startIndex + p + 46 ..< directory.startIndex + p + 46 + nameLength], as: UTF8.self)
            let entry = Entry(path: path, method: d16(p + 10), flags: d16(p + 8), crc: d32(p + 16),
                              packedSize: Int(d32(p + 20)), size: Int(d32(p + 24)), localHeader: Int(d32(p + 42)))
            if byPath[path] != nil {
                throw ExchangeError("\(file): the ZIP archive has two entries named \(path); \(Self.damagedHint)")
            }
            byPath[path] = entries.count
            entries.append(entry)
            p = next
        }
    }

    /// The entry at `path` (matched exactly, else ignoring case, as OPC part names are), or nil.
    func entry(_ path: String) -> Entry? {
        let index = byPath[path] ?? entries.firstIndex { $0.path.lowercased() == path.lowercased() }
        return index.map { entries[$0] }
    }

    /// The unpacked bytes of the entry at `path`, held in memory (and counted against
    /// `totalBytes`), or nil when the archive has none.
    mutating func read(_ path: String) throws -> Data? {
        guard let e = entry(path) else { return nil }
        var unpacked = Data()
        try unpack(e, held: true) { unpacked.append($0) }
        unpackedBytes += unpacked.count
        return unpacked
    }

    /// Checks the entry before any of it is unpacked: not encrypted, a method linkage reads, a
    /// local header where the directory says, packed bytes within the file and a declared size
    /// within the limits. Returns where its packed bytes start.
    @discardableResult
    func check(_ e: Entry, held: Bool) throws -> Int {
        let place = "\(file): the zip entry \(e.path)"
        guard e.flags & 1 == 0 else {
            throw ExchangeError("\(file) is encrypted (protected by a password); remove the password in Excel (File › Info › Protect Workbook) and save it again")
        }
        guard e.method == 0 || e.method == 8 else {
            throw ExchangeError("\(place) is packed with ZIP method \(e.method), which linkage does not read (only stored and deflated); save the file again from Excel")
        }
        // The data follows the local header, whose name and extra field may differ in length from the directory's.
        let h = e.localHeader
        let header = h + 30 <= bytes.count ? try bytes.read(h, 30) : Data()
        guard header.count == 30, Self.le32(header, 0) == 0x0403_4B50 else {
            throw ExchangeError("\(place) has no local header where the directory says; \(Self.damagedHint)")
        }
        let start = h + 30 + Int(Self.le16(header, 26)) + Int(Self.le16(header, 28))
        guard start + e.packedSize <= bytes.count else {
            throw ExchangeError("\(place) runs past the end of the file; \(Self.damagedHint)")
        }
        // The declared size refuses an honest bomb before any work; the running count a lying one.
        let size = limit(e, held: held)
        guard e.size <= size else { throw tooLarge(e, e.size) }
        return start
    }

    /// How many bytes the entry may unpack to: by the ratio, and for a part held in memory by the
    /// entry and total limits too.
    private func limit(_ e: Entry, held: Bool) -> Int {
        let byRatio = max(limits.ratioGrace, limits.ratio.multipliedReportingOverflow(by: e.packedSize).partialValue)
        return held ? min(limits.entryBytes, byRatio, limits.totalBytes - unpackedBytes) : byRatio
    }

    private func tooLarge(_ e: Entry, _ bytes: Int) -> ExchangeError {
        ExchangeError("\(file): the zip entry \(e.path) unpacks to \(Self.size(bytes)) from \(Self.size(e.packedSize)) packed, "
            + "more than linkage reads (\(limits.unpackingDescription)); the file is damaged or made to exhaust memory (a zip bomb). "
            + "Save the sheet again from Excel; if it really is this large, split it into several files")
    }

    /// Unpacks the entry a piece at a time (`held`: a part kept in memory, under its limits), each
    /// piece given to `body` as it comes: more than the entry declares is refused as soon as it
    /// appears; a stream that stops early, runs past its packed bytes or whose CRC-32 differs from
    /// the archive's is damaged, and said so after the last piece.
    func unpack(_ e: Entry, held: Bool, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let place = "\(file): the zip entry \(e.path)"
        let start = try check(e, held: held)
        var crc: uLong = 0
        var produced = 0
        func deliver(_ piece: UnsafeBufferPointer<UInt8>) throws {
            guard !piece.isEmpty else { return }
            crc = CZlib.crc32(crc, piece.baseAddress, uInt(piece.count))
            produced += piece.count
            try body(piece)
        }
        if e.method == 0 {
            guard e.packedSize == e.size else {
                throw ExchangeError("\(place) is stored unpacked, but its packed and unpacked sizes differ (\(e.packedSize) and \(e.size)); \(Self.damagedHint)")
            }
            var at = 0
            while at < e.packedSize {
                let piece = try bytes.read(start + at, min(Self.pieceSize, e.packedSize - at))
                try piece.withUnsafeBytes { try deliver($0.bindMemory(to: UInt8.self)) }
                at += piece.count
            }
        } else {
            try inflate(e, from: start, place: place, deliver)
        }
        guard UInt32(crc) == e.crc else {
            throw ExchangeError("\(place) is damaged: its CRC-32 checksum is \(String(format: "%08x", UInt32(crc))) where the archive says \(String(format: "%08x", e.crc)); "
                + "the file was corrupted in copying or download: get a fresh copy, or open it in Excel and save it again")
        }
    }

    /// Inflates the entry's raw deflate stream, which must unpack to exactly its declared size.
    private func inflate(_ e: Entry, from start: Int, place: String, _ deliver: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ExchangeError("\(place): zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let expected = e.size
        var out = [UInt8](repeating: 0, count: 256 << 10)
        var status: Int32 = Z_OK
        var produced = 0, at = 0
        inflating: while at < e.packedSize {
            let piece = try bytes.read(start + at, min(Self.pieceSize, e.packedSize - at))
            at += piece.count
            try piece.withUnsafeBytes { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                repeat {
                    let n: Int = out.withUnsafeMutableBufferPointer { output in
                        stream.next_out = output.baseAddress
                        stream.avail_out = uInt(output.count)
                        status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        return output.count - Int(stream.avail_out)
                    }
                    produced += n
                    // One byte past the declared size is enough to know the directory lies.
                    if produced > expected {
                        throw ExchangeError("\(place) unpacks to more than the \(Self.size(expected)) its directory declares; \(Self.damagedHint)")
                    }
                    try out.withUnsafeBufferPointer { try deliver(UnsafeBufferPointer(rebasing: $0[..<n])) }
                } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
            }
            if status != Z_OK { break inflating }
        }
        switch status {
        case Z_STREAM_END:
            guard produced == expected else {
                throw ExchangeError("\(place) unpacks to \(Self.size(produced)) where its directory declares \(Self.size(expected)); \(Self.damagedHint)")
            }
        case Z_OK, Z_BUF_ERROR:
            throw ExchangeError("\(place) is cut short: its packed data ends before its contents do; \(Self.damagedHint)")
        default:
            let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw ExchangeError("\(place) is damaged (\(reason)); \(Self.damagedHint)")
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

    static func le16(_ data: Data, _ offset: Int) -> UInt16 {
        let i = data.startIndex + offset
        return UInt16(data[i]) | UInt16(data[i + 1]) << 8
    }

    static func le32(_ data: Data, _ offset: Int) -> UInt32 {
        UInt32(le16(data, offset)) | UInt32(le16(data, offset + 2)) << 16
    }

    /// The archive's bytes, read by offset: slices of the data in memory, or pieces read from the file.
    private final class Bytes {
        let data: Data?
        let handle: FileHandle?
        let count: Int
        let file: String

        init(_ input: Input, file: String) throws {
            self.file = file
            switch input {
            case .data(let d):
                data = d; handle = nil; count = d.count
            case .path(let path):
                guard let h = FileHandle(forReadingAtPath: path) else { throw ExchangeError("cannot read \(path): permission denied") }
                do { count = Int(try h.seekToEnd()) } catch {
                    throw ExchangeError("cannot read \(path): \((error as NSError).localizedDescription)")
                }
                data = nil; handle = h
            }
        }

        deinit { try? handle?.close() }

        /// `length` bytes from `offset`, which the caller keeps within the file.
        func read(_ offset: Int, _ length: Int) throws -> Data {
            precondition(offset >= 0 && length >= 0 && offset + length <= count)
            if let data { return data[data.startIndex + offset ..< data.startIndex + offset + length] }
            do {
                try handle!.seek(toOffset: UInt64(offset))
                let piece = try handle!.read(upToCount: length) ?? Data()
                guard piece.count == length else { throw ExchangeError("\(file) changed while it was read (it is shorter than before); read it again when nothing writes it") }
                return piece
            } catch let e as ExchangeError { throw e } catch {
                throw ExchangeError("cannot read \(file): \((error as NSError).localizedDescription)")
            }
        }
    }
}
