/// What the demo forge's repositories hold: a few commits of small, plausible files, so the
/// quickstart clones something with history and a push lands on top of real work.
///
/// Deterministic (no dates or random names in the files), so two demo forges hold the same trees.
enum SampleContent {
    struct Commit {
        var message: String
        var files: [(path: String, contents: String)]
    }

    static func commits(for fullName: String) -> [Commit] {
        let name = fullName.split(separator: "/").last.map(String.init) ?? fullName
        return [
            Commit(message: "Initial commit", files: [
                ("README.md", "# \(fullName)\n\nA demo repository of the Netclode local forge.\n"),
                (".gitignore", ".build/\n*.log\n"),
            ]),
            Commit(message: "Add \(name).py", files: [
                ("src/\(name).py", """
                    \"\"\"\(name): a small module for the Netclode quickstart.\"\"\"


                    def greet(who: str) -> str:
                        return f"Hello, {who}, from \(fullName)!"


                    if __name__ == "__main__":
                        print(greet("world"))

                    """),
            ]),
            Commit(message: "Add tests and usage", files: [
                ("tests/test_\(name).py", """
                    from src.\(name) import greet


                    def test_greet():
                        assert greet("you").startswith("Hello, you")

                    """),
                ("README.md", "# \(fullName)\n\nA demo repository of the Netclode local forge.\n\n## Usage\n\n    python3 src/\(name).py\n"),
            ]),
        ]
    }
}
