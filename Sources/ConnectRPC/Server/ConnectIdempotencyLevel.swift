/// What calling a method again does, as the proto's `idempotency_level` method option declares it.
///
/// It matters to the server for one thing: only a unary method with ``noSideEffects`` is also
/// served over HTTP GET (Connect's `?connect=v1&encoding=...&message=...` form), because a GET
/// may be repeated, prefetched or cached by browsers and proxies without the caller asking.
/// Declare the same level in the `.proto` file, since that is what generated third-party clients
/// read to decide whether to use GET.
public enum ConnectIdempotencyLevel: Sendable, Hashable {
    /// Nothing is promised (the proto default); POST only.
    case unknown
    /// Repeating the call has the same effect as making it once; POST only.
    case idempotent
    /// The call changes nothing (a read); POST and GET.
    case noSideEffects

    /// Whether the method is also served over HTTP GET.
    var allowsGet: Bool { self == .noSideEffects }
}
