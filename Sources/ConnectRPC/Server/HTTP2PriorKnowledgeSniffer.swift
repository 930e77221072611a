import NIOCore

/// Tells, from the first bytes a client sends, whether a cleartext connection speaks HTTP/2 with
/// prior knowledge (it opens with the RFC 9113 §3.4 connection preface) or HTTP/1.x, then lets
/// `configure` set up the rest of the pipeline for that protocol and replays the bytes it held.
///
/// No HTTP/1 request line starts like the preface (`PRI * HTTP/2.0`), so an HTTP/1 client is
/// recognised by its second byte at the latest and sees no delay. Until the pipeline is
/// configured, bytes are held here; then they are passed on in order and the handler removes
/// itself. A connection that ends before the pipeline is configured fails ``negotiated`` (once: the
/// state moves to `done` whichever way it ends).
final class HTTP2PriorKnowledgeSniffer<Negotiated: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The HTTP/2 client connection preface.
    static var preface: [UInt8] { Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) }

    private enum State { case sniffing, configuring, done }

    /// The protocol's pipeline, as `configure` reported it.
    var negotiated: EventLoopFuture<Negotiated> { promise.futureResult }

    private let promise: EventLoopPromise<Negotiated>
    private let configure: (_ isHTTP2: Bool, _ channel: any Channel) -> EventLoopFuture<Negotiated>
    private var state = State.sniffing
    private var held = ByteBuffer()
    private var inputClosedWhileHolding = false

    /// - Parameter configure: adds the handlers of HTTP/2 (`true`) or HTTP/1 (`false`) after this
    ///   one; its future completes once the pipeline is ready for the held bytes.
    init(eventLoop: any EventLoop, configure: @escaping (_ isHTTP2: Bool, _ channel: any Channel) -> EventLoopFuture<Negotiated>) {
        self.promise = eventLoop.makePromise()
        self.configure = configure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        guard state != .done else {
            context.fireChannelRead(data)
            return
        }
        held.writeBuffer(&bytes)
        if state == .sniffing, let isHTTP2 = decision() {
            startConfiguring(context: context, isHTTP2: isHTTP2)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Held back with the bytes; the replay ends with one.
        if state == .done { context.fireChannelReadComplete() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard state != .done, case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The client stopped sending before the preface was complete: whatever it sent is not
        // HTTP/2, so HTTP/1 gets it (and reports it malformed if it is), then the half-closure.
        inputClosedWhileHolding = true
        if state == .sniffing { startConfiguring(context: context, isHTTP2: false) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Closed before the pipeline was configured: nothing will be negotiated, and a configuration
        // still under way is ignored when it completes.
        if state != .done {
            state = .done
            promise.fail(ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if state != .done {
            state = .done
            promise.fail(ChannelError.inappropriateOperationForState)
        }
    }

    /// `true` for the complete preface, `false` as soon as a byte differs, `nil` while the bytes
    /// so far are a prefix of it.
    private func decision() -> Bool? {
        let preface = Self.preface
        let count = min(held.readableBytes, preface.count)
        guard let bytes = held.getBytes(at: held.readerIndex, length: count) else { return nil }
        guard bytes[...] == preface[..<count] else { return false }
        return count == preface.count ? true : nil
    }

    private func startConfiguring(context: ChannelHandlerContext, isHTTP2: Bool) {
        state = .configuring
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        configure(isHTTP2, context.channel)
            .hop(to: context.eventLoop)
            .whenComplete { result in
                let (handler, context) = loopBound.value
                handler.configured(context: context, result: result)
            }
    }

    private func configured(context: ChannelHandlerContext, result: Result<Negotiated, any Error>) {
        // The channel went away meanwhile; the promise has already failed.
        guard state == .configuring else { return }
        state = .done
        switch result {
        case .success(let negotiated):
            promise.succeed(negotiated)
            let bytes = held
            held = ByteBuffer()
            if bytes.readableBytes > 0 { context.fireChannelRead(Self.wrapInboundOut(bytes)) }
            context.fireChannelReadComplete()
            if inputClosedWhileHolding { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .failure(let error):
            promise.fail(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension HTTP2PriorKnowledgeSniffer: Sendable {}
