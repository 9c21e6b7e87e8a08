/// This build's version, as hellos announce it.
public enum SoftwareVersion {
    public static let current = "0.1.0"
}
