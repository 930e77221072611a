import Hummingbird

/// An endpoint's early answer (404, 403, 422, ...) thrown from deep inside it, so validation
/// reads as a list of `try` lines and the router turns the failure back into the response.
struct APIFailure: Error {
    let response: Response

    init(_ response: Response) {
        self.response = response
    }
}
