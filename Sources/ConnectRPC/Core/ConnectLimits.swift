/// Size limits that protect a peer from unbounded buffering.
public enum ConnectLimits {
    /// 4 MiB: the default cap on one message (a unary body or one envelope's payload).
    public static let defaultMaxMessageBytes = 4 * 1024 * 1024
}
