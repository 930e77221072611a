"""Page weight and render speed of the web UI, printed (not a timed test).

Usage (with `netclode dev` running in the repository root):
    python Tests/WebUIBrowser/bench.py [.netclode-dev/dev.json]

- first load: bytes transferred (headers and bodies, as Chromium's Resource Timing reports them)
  for a signed-in browser with an empty cache opening `/` until the sessions list is shown:
  the page, its stylesheet and modules, and the ListSessions call. Target: < 100 KB.
- render: the list's own rendering code (list.js renderSessionRows) on 200 sessions, until the
  layout is computed; the median of 15 runs in headless Chromium. Target: < 300 ms."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import browser
import devinfo

BASE, TOKEN = devinfo.from_argv()

RENDER = """
const done = arguments[arguments.length - 1];
import("/ui/assets/list.js").then(({ renderSessionRows }) => {
  const now = Date.now();
  const sessions = Array.from({ length: 200 }, (_, i) => ({
    id: `s${String(i).padStart(11, "0")}`, name: `session-${i}`, status: ["ready", "paused", "cloning", "error"][i % 4],
    repos: ["http://127.0.0.1:8790/netclode-demo/hello.git", "http://127.0.0.1:8790/netclode-demo/widgets.git"].slice(0, 1 + (i % 2)),
    repoAccess: i % 3 ? "read" : "write", createdAt: new Date(now - i * 60000).toISOString(),
  }));
  const tbody = document.getElementById("session-rows");
  const times = [];
  for (let run = 0; run < 15; run++) {
    tbody.replaceChildren();
    document.body.offsetHeight;
    const start = performance.now();
    renderSessionRows(tbody, sessions, now);
    document.body.offsetHeight;  // style and layout, not just the DOM
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  done({ median: times[7], max: times[14], rows: tbody.rows.length });
});
"""


def main():
    driver = browser.start(1280, 900)
    try:
        driver.get(BASE + "/")
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "token"))
        driver.find_element(By.ID, "token").send_keys(TOKEN + "\n")
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "sessions"))
        # A fresh load with an empty cache, signed in (the cookie stays).
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.get(BASE + "/")
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "sessions"))
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/ListSessions'))"))
        entries = driver.execute_script("""
            return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
              .map(e => ({ name: e.name, transfer: e.transferSize, body: e.decodedBodySize }));""")
        total = sum(entry["transfer"] for entry in entries)
        for entry in entries:
            print(f"  {entry['transfer']:>7} B  {entry['name'].replace(BASE, '')}")
        print(f"first load: {total} bytes transferred in {len(entries)} requests ({total / 1024:.1f} KiB; target < 100 KB)")
        driver.set_script_timeout(60)
        result = driver.execute_async_script(RENDER)
        print(f"render 200 sessions: median {result['median']:.1f} ms, worst {result['max']:.1f} ms of 15 runs, "
              f"{result['rows']} rows (target < 300 ms)")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
