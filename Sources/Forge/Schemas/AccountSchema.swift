import Foundation

/// GitHub's `simple-user` object for an account.
enum AccountSchema {
    static func json(_ account: AccountRecord, urls: ForgeURLs) -> JSONValue {
        json(login: account.login, id: account.id, type: account.type, urls: urls)
    }

    static func json(login: String, id: Int, type: String, urls: ForgeURLs) -> JSONValue {
        let user = "\(urls.api)/users/\(login)"
        let nodePrefix = type == "Organization" ? "012:Organization" : type == "Bot" ? "03:Bot" : "04:User"
        return [
            "login": .string(login),
            "id": .int(id),
            "node_id": .string(Data("\(nodePrefix)\(id)".utf8).base64EncodedString()),
            "avatar_url": .string("\(urls.web)/avatars/u/\(id)?v=4"),
            "gravatar_id": "",
            "url": .string(user),
            "html_url": .string("\(urls.web)/\(login)"),
            "followers_url": .string("\(user)/followers"),
            "following_url": .string("\(user)/following{/other_user}"),
            "gists_url": .string("\(user)/gists{/gist_id}"),
            "starred_url": .string("\(user)/starred{/owner}{/repo}"),
            "subscriptions_url": .string("\(user)/subscriptions"),
            "organizations_url": .string("\(user)/orgs"),
            "repos_url": .string("\(user)/repos"),
            "events_url": .string("\(user)/events{/privacy}"),
            "received_events_url": .string("\(user)/received_events"),
            "type": .string(type),
            "user_view_type": "public",
            "site_admin": false,
        ]
    }
}
