@preconcurrency import Glibc

/// The terminal linkage writes to, if standard output is one.
public enum Terminal {
    /// Columns of the terminal on standard output, or nil when it is not a terminal.
    public static var width: Int? {
        guard isatty(STDOUT_FILENO) != 0 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Whether standard input and output are a terminal (prompts, line editing, colour).
    public static var isInteractive: Bool { isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 }

    /// Colour only on a terminal, and never under NO_COLOR (https://no-color.org).
    public static var usesColor: Bool {
        isatty(STDOUT_FILENO) != 0 && (getenv("NO_COLOR").map { $0[0] == 0 } ?? true)
    }
}
