import LinkageModel

/// A material as text, in the exchange formats (here rather than in the model, which knows no formats).
extension Material {
    /// The title, a blank line and the rows aligned in columns (`Exporter.aligned`).
    public var text: String { title + "\n\n" + Exporter.aligned(table) }

    /// The title as a heading over the Markdown table.
    public var markdown: String { "# " + title + "\n\n" + Exporter.markdown(table) }
}
