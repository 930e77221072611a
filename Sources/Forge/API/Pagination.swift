/// GitHub's `per_page`/`page` pagination with a `Link` header built from the request's origin.
struct Pagination: Sendable {
    static let defaultPerPage = 30
    static let maxPerPage = 100

    let perPage: Int
    let page: Int

    init(perPage: String?, page: String?) {
        self.perPage = min(Self.maxPerPage, max(1, perPage.flatMap { Int($0) } ?? Self.defaultPerPage))
        self.page = max(1, page.flatMap { Int($0) } ?? 1)
    }

    func slice<T>(_ items: [T]) -> [T] {
        let start = (page - 1) * perPage
        guard start < items.count else { return [] }
        return Array(items[start..<min(items.count, start + perPage)])
    }

    /// `<url?per_page=N&page=M>; rel="next", ...` or `nil` when everything fits on one page.
    func linkHeader(total: Int, url: String) -> String? {
        let lastPage = max(1, (total + perPage - 1) / perPage)
        guard lastPage > 1 else { return nil }
        func link(_ page: Int, _ rel: String) -> String { "<\(url)?per_page=\(perPage)&page=\(page)>; rel=\"\(rel)\"" }
        var links: [String] = []
        if page > 1 { links.append(link(min(page - 1, lastPage), "prev")) }
        if page < lastPage { links.append(link(page + 1, "next")); links.append(link(lastPage, "last")) }
        if page > 1 { links.append(link(1, "first")) }
        return links.joined(separator: ", ")
    }
}
