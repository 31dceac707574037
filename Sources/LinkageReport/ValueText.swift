import Foundation
import LinkageModel

/// A value as text in a format, the same in every renderer: 12,345 · 98.2% · 3.25.
public enum ValueText {
    public static func text(_ value: SQLValue, _ format: ValueFormat) -> String {
        switch (value, format) {
        case (.null, _): return ""
        case (.text(let s), _): return s
        case (.blob(let b), _): return "\(b.count) bytes"
        case (_, .text): return plain(value)
        case (.integer(let i), .automatic), (.integer(let i), .integer): return grouped(i)
        case (.real(let d), .automatic): return d == d.rounded() && abs(d) < 1e15 ? grouped(Int64(d)) : fixed(d, 2)
        case (.real(let d), .integer): return d.isFinite ? grouped(Int64(d.rounded())) : String(d)
        case (_, .decimal(let places)): return fixed(value.number ?? .nan, places)
        case (_, .percent(let places)): return fixed((value.number ?? .nan) * 100, places) + "%"
        }
    }

    static func plain(_ value: SQLValue) -> String {
        switch value {
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        default: return text(value, .automatic)
        }
    }

    /// 1234567 → "1,234,567"; the locale is fixed so the bytes do not depend on the machine.
    static func grouped(_ i: Int64) -> String {
        let digits = String(i.magnitude)
        var out = ""
        for (n, c) in digits.enumerated() {
            if n > 0 && (digits.count - n) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return i < 0 ? "-" + out : out
    }

    /// Rounded to `places` decimals, grouped, with no "-0".
    static func fixed(_ d: Double, _ places: Int) -> String {
        guard d.isFinite else { return d.isNaN ? "" : (d > 0 ? "∞" : "-∞") }
        let scale = pow(10.0, Double(places))
        let r = (d * scale).rounded() / scale
        let whole = Int64(r.magnitude.rounded(.down))
        let frac = r.magnitude - Double(whole)
        var s = grouped(whole)
        if places > 0 {
            let f = Int64((frac * scale).rounded())
            s += "." + String(repeating: "0", count: max(0, places - String(f).count)) + String(f)
        }
        return r < 0 ? "-" + s : s
    }
}
