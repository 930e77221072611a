/// GitHub's `installation` object (all fields of the recorded `testGetRepoInstallation.json`,
/// plus `client_id`).
enum InstallationSchema {
    static func json(_ installation: InstallationRecord, account: AccountRecord, app: AppRecord, urls: ForgeURLs) -> JSONValue {
        let htmlURL = account.type == "Organization"
            ? "\(urls.web)/organizations/\(account.login)/settings/installations/\(installation.id)"
            : "\(urls.web)/settings/installations/\(installation.id)"
        return [
            "id": .int(installation.id),
            "client_id": .string(app.clientID),
            "account": AccountSchema.json(account, urls: urls),
            "repository_selection": "selected",
            "access_tokens_url": .string("\(urls.api)/app/installations/\(installation.id)/access_tokens"),
            "repositories_url": .string("\(urls.api)/installation/repositories"),
            "html_url": .string(htmlURL),
            "app_id": .int(app.id),
            "app_slug": .string(app.slug),
            "target_id": .int(account.id),
            "target_type": .string(account.type),
            "permissions": .stringMap(installation.permissions),
            "events": .array(AppSchema.events.map(JSONValue.string)),
            "created_at": .string(millisecondTimestamp(installation.createdAt)),
            "updated_at": .string(millisecondTimestamp(installation.createdAt)),
            "single_file_name": nil,
            "has_multiple_single_files": false,
            "single_file_paths": [],
            "suspended_by": nil,
            "suspended_at": nil,
        ]
    }

    /// Installations carry `2022-10-26T11:13:03.000Z`-style timestamps in GitHub's answers.
    private static func millisecondTimestamp(_ timestamp: String) -> String {
        timestamp.hasSuffix("Z") && !timestamp.contains(".") ? String(timestamp.dropLast()) + ".000Z" : timestamp
    }
}
