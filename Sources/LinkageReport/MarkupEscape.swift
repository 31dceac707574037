/// Text made safe for HTML and SVG, in element content and in quoted attributes alike.
enum MarkupEscape {
    static let entities: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]

    /// `&`, `<`, `>`, `"` and `'` as entities; control characters other than tab, line feed and
    /// carriage return dropped, since XML (an SVG saved on its own) does not allow them.
    static func escaped(_ s: String) -> String {
        // Most text needs nothing; looking at the bytes first spares a copy.
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for u in s.unicodeScalars {
            if let entity = entities[u] {
                out += entity
            } else if u.value >= 0x20 || u == "\t" || u == "\n" || u == "\r" {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
