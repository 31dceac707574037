/// What `LayoutProbe.script` measured of a page in Chromium (`Chromium.layout(of:width:)`).
struct PageLayout: Decodable {
    /// The frame's width in CSS pixels, as the page saw it (`innerWidth`).
    var viewportWidth: Int
    /// How wide and tall the page's content is; wider than the viewport means it scrolls sideways.
    var documentWidth: Int
    var documentHeight: Int
    /// Inline SVGs, and those of them drawn with no size or nothing in them.
    var svgCount: Int
    var emptySVGs: [String]
    /// Elements whose content is wider than their box, other than the intended scroll boxes
    /// (`.table-wrap`) and what is inside them.
    var overflows: [String]
    /// Boxes that stick out of their parent's box, and SVG text outside its SVG.
    var outside: [String]
    /// Everything the page fetched (performance entries): a self-contained page fetches nothing.
    var resources: [String]
    /// The `font-family` of the page's body, to see the CJK stack is in force.
    var bodyFont: String
    /// For each chart with a table, whether the table stands beside it (true) or under it (false).
    var chartsBesideTables: [Bool]
    /// Every table (`.table-wrap > table`), in the page's order.
    var tables: [TableLayout]

    struct TableLayout: Decodable {
        /// Laid out as a card per row (its rows are blocks) rather than as a table.
        var cards: Bool
        /// Wider than its box, so the box scrolls sideways.
        var scrolls: Bool
        /// Cells whose text is wider than the cell, and (in a box that does not scroll) cells
        /// that stick out of the box: text a reader cannot see.
        var clipped: [String]
        /// For a table that scrolls: whether, scrolled to its right end, its first column is
        /// still at the box's left edge. Nil for one that does not scroll.
        var firstColumnStays: Bool?
    }

    /// All that is wrong, one line each; empty when the page lays out cleanly.
    var problems: [String] {
        var out: [String] = []
        if documentWidth > viewportWidth { out.append("the page is \(documentWidth) px wide in a \(viewportWidth) px viewport") }
        out += emptySVGs.map { "empty chart: \($0)" }
        out += overflows.map { "overflows its box: \($0)" }
        out += outside.map { "outside its parent: \($0)" }
        out += resources.map { "loaded from outside the file: \($0)" }
        for (i, table) in tables.enumerated() {
            out += table.clipped.map { "table \(i + 1), text cut off: \($0)" }
            if table.firstColumnStays == false { out.append("table \(i + 1) scrolls its first column out of view") }
        }
        return out
    }
}

/// What `PrintProbe.script` saw of a page as it was printed: how wide Chromium laid it out and how
/// each table's rows were laid out (`table-row` for a table, `block` for cards).
struct PrintLayout: Decodable {
    /// The width in CSS pixels Chromium laid the page out at. That is the paper's width less the
    /// margins, unless something on the page is wider: then Chromium lays the page out as wide
    /// as that (up to 1.5 times) and shrinks every page of it to fit the paper.
    var pageWidth: Int
    /// Each table's (`.table-wrap > table`) first body row's `display`, in the page's order.
    var rowDisplays: [String]
    /// The tables (by index in `rowDisplays`) wider than the paper less the margins, `paperWidth`.
    var tooWide: [Int]
}

/// A script put at the end of a page before it is printed: when the print media query comes into
/// force (the page then laid out for paper, which `beforeprint` is not yet) it measures the tables
/// and writes the result, JSON of ASCII only, into the document's title, which Chromium writes
/// into the PDF's `/Title` (read by `RenderedFiles.pdfTitle`): the one way out of a print run
/// without the debugging protocol.
enum PrintProbe {
    static let marker = "linkage-print-probe:"
    static func script(paperWidth: Int) -> String {
        """
        <script>matchMedia('print').addEventListener('change', () => {
          const r = { pageWidth: document.documentElement.clientWidth, rowDisplays: [], tooWide: [] };
          document.querySelectorAll('.table-wrap > table').forEach((t, i) => {
            const row = t.querySelector('tbody tr') || t.querySelector('tr');
            r.rowDisplays.push(row ? getComputedStyle(row).display : 'none');
            if (t.getBoundingClientRect().right > \(paperWidth) + 1) r.tooWide.push(i);
          });
          document.title = '\(marker)' + JSON.stringify(r);
        });</script>
        """
    }

    /// `html` with the script at the end of its body.
    static func added(to html: String, paperWidth: Int) -> String {
        let script = script(paperWidth: paperWidth)
        guard let end = html.range(of: "</body>", options: .backwards) else { return html + script }
        return html.replacingCharacters(in: end.lowerBound..<end.lowerBound, with: script)
    }
}

/// The script `Chromium.framed(_:width:height:probe:)` puts beside the page's iframe: on load it
/// measures the page and writes the result (JSON for `PageLayout`) into the outer page, where
/// `--dump-dom` prints it.
enum LayoutProbe {
    static let script = #"""
    addEventListener('load', () => {
      const w = document.getElementById('page').contentWindow, d = w.document;
      const r = { viewportWidth: w.innerWidth, documentWidth: d.documentElement.scrollWidth,
                  documentHeight: d.documentElement.scrollHeight, svgCount: 0, emptySVGs: [],
                  overflows: [], outside: [], resources: [], bodyFont: w.getComputedStyle(d.body).fontFamily,
                  chartsBesideTables: [], tables: [] };
      const name = e => e.tagName.toLowerCase()
        + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '')
        + ' "' + (e.textContent || '').trim().slice(0, 30) + '"';
      const box = b => '[' + [b.left, b.top, b.right, b.bottom].map(Math.round).join(',') + ']';
      const sticksOut = (b, p) => b.width > 0 && (b.left < p.left - 1 || b.right > p.right + 1 || b.top < p.top - 1 || b.bottom > p.bottom + 1);
      const scrollBox = '.table-wrap';
      for (const e of d.body.querySelectorAll('*')) {
        if (e.ownerSVGElement) continue;                                   // inside an SVG: below
        if (e.parentElement.closest(scrollBox)) continue;                  // inside a scroll box: may be wide
        if (!e.matches(scrollBox) && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
          r.overflows.push(name(e) + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
        const b = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();
        if (sticksOut(b, p)) r.outside.push(name(e) + ' ' + box(b) + ' in ' + box(p));
      }
      for (const svg of d.querySelectorAll('svg')) {
        r.svgCount++;
        const s = svg.getBoundingClientRect();
        if (s.width < 10 || s.height < 10 || !svg.querySelector('rect, path, circle, text')) r.emptySVGs.push(name(svg));
        for (const t of svg.querySelectorAll('text')) {
          const b = t.getBoundingClientRect();
          if (sticksOut(b, s)) r.outside.push('svg text "' + t.textContent.slice(0, 30) + '" ' + box(b) + ' in ' + box(s));
        }
      }
      for (const c of d.querySelectorAll('.chart-body')) {
        if (!c.querySelector('table')) continue;
        const svg = c.querySelector('svg').getBoundingClientRect(), table = c.querySelector('table').getBoundingClientRect();
        r.chartsBesideTables.push(table.left >= svg.right && table.top < svg.bottom);
      }
      r.tables = [];
      for (const t of d.querySelectorAll('.table-wrap > table')) {
        const wrap = t.parentElement, wb = wrap.getBoundingClientRect();
        const row = t.querySelector('tbody tr') || t.querySelector('tr');
        const cards = !!row && w.getComputedStyle(row).display === 'block';
        const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
        const clipped = [];
        for (const c of t.querySelectorAll('th, td')) {
          if (w.getComputedStyle(c).display === 'none') continue;
          if (c.scrollWidth > c.clientWidth + 1) clipped.push(name(c) + ' ' + c.scrollWidth + ' > ' + c.clientWidth);
          else if (!scrolls && sticksOut(c.getBoundingClientRect(), wb)) clipped.push(name(c) + ' ' + box(c.getBoundingClientRect()) + ' in ' + box(wb));
        }
        let firstColumnStays = null;
        if (scrolls && row) {
          wrap.scrollLeft = wrap.scrollWidth;
          const first = row.firstElementChild.getBoundingClientRect(), last = row.lastElementChild.getBoundingClientRect();
          firstColumnStays = Math.abs(first.left - wb.left) <= 1 && last.right <= wb.right + 1;
          wrap.scrollLeft = 0;
        }
        r.tables.push({ cards, scrolls, clipped, firstColumnStays });
      }
      for (const win of [window, w]) for (const e of win.performance.getEntriesByType('resource')) r.resources.push(e.name);
      const out = document.createElement('script');
      out.type = 'application/json';
      out.id = 'layout-result';
      out.textContent = JSON.stringify(r).replace(/</g, '\\u003c');
      document.body.appendChild(out);
    });
    """#
}
