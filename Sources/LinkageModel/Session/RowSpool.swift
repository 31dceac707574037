import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Rows put aside in a temporary file and read back once, in the order they were written: the
/// findings of a check that ran ahead of its turn on another connection wait here instead of in
/// memory, so memory stays flat however many a province has.
///
/// The file is unlinked as soon as it is made, so nothing is left behind, whatever ends the
/// process. A row is its column count, then per value a tag and the value (integers and reals as
/// 8 bytes, text and blobs with their length).
final class RowSpool {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var count = 0
    private static let chunk = 1 << 20

    init() throws {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory + "/linkage-spool.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw QueryError("cannot make a temporary file in \(directory) (\(String(cString: strerror(errno)))); set TMPDIR to a directory with room")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
        buffer.reserveCapacity(RowSpool.chunk + 4096)
    }

    deinit { close(fd) }

    func append(_ row: [SQLValue]) throws {
        RowSpool.varint(UInt64(row.count), into: &buffer)
        for value in row {
            switch value {
            case .null: buffer.append(0)
            case .integer(let i): buffer.append(1); RowSpool.fixed(UInt64(bitPattern: i), into: &buffer)
            case .real(let d): buffer.append(2); RowSpool.fixed(d.bitPattern, into: &buffer)
            case .text(var s):
                buffer.append(3)
                s.withUTF8 { RowSpool.varint(UInt64($0.count), into: &buffer); buffer.append(contentsOf: $0) }
            case .blob(let b): buffer.append(4); RowSpool.varint(UInt64(b.count), into: &buffer); buffer.append(contentsOf: b)
            }
        }
        count += 1
        if buffer.count >= RowSpool.chunk { try flush() }
    }

    /// Hands every row to `body`, in the order they were appended.
    func replay(_ body: ([SQLValue]) throws -> Void) throws {
        try flush()
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure("rewind") }
        var data: [UInt8] = []
        var at = 0
        var ended = false
        while true {
            if let (row, next) = RowSpool.decode(data, at) {
                at = next
                try body(row)
                continue
            }
            if ended {
                guard at == data.count else { throw QueryError("a temporary file of findings ended inside a row") }
                return
            }
            // Keep the part of a row cut by the chunk's end and read the next chunk after it.
            data.removeFirst(at)
            at = 0
            let old = data.count
            data.append(contentsOf: repeatElement(0, count: RowSpool.chunk))
            let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, RowSpool.chunk) }
            guard n >= 0 else { throw failure("read") }
            data.removeLast(RowSpool.chunk - n)
            ended = n == 0
        }
    }

    private func flush() throws {
        var from = 0
        while from < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + from, buffer.count - from) }
            guard n > 0 else { throw failure("write") }
            from += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func failure(_ what: String) -> QueryError {
        QueryError("cannot \(what) a temporary file of findings (\(String(cString: strerror(errno)))); set TMPDIR to a directory with room")
    }

    private static func varint(_ v: UInt64, into out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    private static func fixed(_ v: UInt64, into out: inout [UInt8]) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }

    /// The row at `at` and where the next begins; nil when `data` ends before the row does.
    private static func decode(_ data: [UInt8], _ at: Int) -> ([SQLValue], Int)? {
        var p = at
        func varint() -> UInt64? {
            var v: UInt64 = 0, shift: UInt64 = 0
            while p < data.count {
                let b = data[p]; p += 1
                v |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return v }
                shift += 7
            }
            return nil
        }
        func fixed() -> UInt64? {
            guard p + 8 <= data.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(data[p + i]) << (8 * UInt64(i)) }
            p += 8
            return v
        }
        func bytes() -> ArraySlice<UInt8>? {
            guard let n = varint(), p + Int(n) <= data.count else { return nil }
            defer { p += Int(n) }
            return data[p..<(p + Int(n))]
        }
        guard let columns = varint() else { return nil }
        var row: [SQLValue] = []
        row.reserveCapacity(Int(columns))
        for _ in 0..<columns {
            guard p < data.count else { return nil }
            let tag = data[p]; p += 1
            switch tag {
            case 0: row.append(.null)
            case 1: guard let v = fixed() else { return nil }; row.append(.integer(Int64(bitPattern: v)))
            case 2: guard let v = fixed() else { return nil }; row.append(.real(Double(bitPattern: v)))
            case 3: guard let b = bytes() else { return nil }; row.append(.text(String(decoding: b, as: UTF8.self)))
            default: guard let b = bytes() else { return nil }; row.append(.blob(Array(b)))
            }
        }
        return (row, p)
    }
}
