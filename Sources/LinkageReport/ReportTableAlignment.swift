import LinkageModel

extension ReportTable {
    /// Which columns hold numbers, to be aligned right: those with a number format, and those
    /// formatted automatically whose values (rows and totals) are all numbers or empty, at least
    /// one a number.
    var numericColumns: [Bool] {
        columns.indices.map { c in
            switch columns[c].format {
            case .integer, .decimal, .percent: return true
            case .text: return false
            case .automatic:
                let values = (rows + (totals.map { [$0] } ?? [])).map { c < $0.count ? $0[c] : .null }
                return values.contains { $0 != .null } && values.allSatisfy {
                    switch $0 { case .integer, .real, .null: return true; default: return false }
                }
            }
        }
    }

    /// A row's cells as text, one for each column (a short row padded with empty cells).
    func cells(_ row: [SQLValue]) -> [String] {
        columns.indices.map { c in c < row.count ? ValueText.text(row[c], columns[c].format) : "" }
    }
}
