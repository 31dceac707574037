import CLua
import Glibc
import LuaShim

/// Holds the transformation applied to a state's standard output for as long as the state lives.
final class LuaOutputFilter {
    let transform: (UnsafeBufferPointer<UInt8>) -> [UInt8]?
    init(_ transform: @escaping (UnsafeBufferPointer<UInt8>) -> [UInt8]?) { self.transform = transform }
}

extension LuaState {
    /// What `print`, `io.write` and `file:write` send to the standard output or error passes
    /// through `transform` (nil: unchanged). The functions stay C functions with Lua's own
    /// behaviour and messages.
    public func filterStandardOutput(_ transform: @escaping (UnsafeBufferPointer<UInt8>) -> [UInt8]?) {
        let filter = LuaOutputFilter(transform)
        outputFilter = filter
        ls_install_output_filter(L, { context, s, len, file in
            let filter = Unmanaged<LuaOutputFilter>.fromOpaque(context!).takeUnretainedValue()
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(s)?.assumingMemoryBound(to: UInt8.self), count: len)
            if let changed = filter.transform(bytes) {
                return changed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) == $0.count ? 1 : 0 }
            }
            return fwrite(s, 1, len, file) == len ? 1 : 0
        }, Unmanaged.passUnretained(filter).toOpaque())
    }
}
