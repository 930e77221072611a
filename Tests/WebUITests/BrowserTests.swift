import Foundation
import Testing
import TestSupport

/// The web UI in a real browser: Tests/WebUIBrowser/webui_check.py drives Debian's headless
/// Chromium with Selenium against a live `netclode dev` (sign-in, creation with two demo repos and
/// their progress bars, the access switch refusing then allowing a push, a prompt's output
/// streaming in, pause/resume/delete, a dropped stream, the XSS name, 375 px and dark mode,
/// keyboard-only creation, sign-out).
///
/// Enabled when `NETCLODE_PYTHON` is set and Debian's `chromium` and `chromium-driver` are
/// installed (`.ci/run` installs both and Selenium into that Python's virtualenv).
@Suite("Web UI in Chromium",
       .enabled(if: ConnectForPython.python != nil, "NETCLODE_PYTHON is not set (see .ci/run)"),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
                    && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium and chromium-driver are not installed"))
struct BrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func aPersonUsesTheWebUI() async throws {
        let python = try #require(ConnectForPython.python)
        let selenium = try await Command.run(python, ["-c", "import selenium"])
        try #require(selenium.succeeded, "Selenium is not installed for \(python): pip install -r Tests/WebUIBrowser/requirements.txt")
        // An agent command that prints the prompt, pauses, and finishes: output must stream.
        let dev = try await DevProcess.start(environment: [
            "NETCLODE_AGENT_COMMAND": #"["sh", "-c", "printf 'agent got: %s\\n' \"$1\"; sleep 1; echo finished", "agent", "{prompt}"]"#,
        ])
        defer { Task { await dev.remove() } }
        let devFile = try JSONSerialization.jsonObject(with: Data(contentsOf: dev.devFile)) as? [String: Any]
        let token = try #require(devFile?["apiToken"] as? String)
        let run = try await Command.run(
            python, [Self.root.appendingPathComponent("Tests/WebUIBrowser/webui_check.py").path, dev.baseURL.absoluteString, token],
            environment: ["SE_OFFLINE": "true", "PYTHONUNBUFFERED": "1"])
        #expect(run.succeeded, "webui_check.py failed:\n\(run.stdout)\n\(run.stderr)\n--- dev log ---\n\(dev.logs().suffix(4000))")
        #expect(run.stdout.split(separator: "\n") == [
            "ok sign-in", "ok create-and-clone", "ok access-switch-and-push", "ok prompt-run", "ok stream-reconnect", "ok pause-resume-delete",
            "ok xss-name-is-text", "ok phone-width-and-dark", "ok keyboard-only-creation", "ok sign-out",
        ], "\(run.stdout)")
        await dev.remove()
    }
}
