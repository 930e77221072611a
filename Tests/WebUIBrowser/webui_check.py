"""The web UI in headless Chromium against a live `netclode dev`, as a person uses it.

Usage: webui_check.py BASE_URL API_TOKEN. Prints one `ok <step>` line per step that passed and
exits non-zero at the first failure (with the page's text and the browser console)."""
import json
import signal
import sys
import time
import urllib.request

from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

import browser
from dropping_proxy import DroppingProxy

BASE, TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]
signal.alarm(1500)  # the whole run is bounded, whatever hangs


def api(method, body, service="SessionService"):
    request = urllib.request.Request(f"{BASE}/netclode.v1.{service}/{method}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def wait(driver, condition, what, timeout=90):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}")


def text(driver, selector):
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    return elements[0].text if elements else ""


def ok(step):
    print(f"ok {step}", flush=True)


def no_alert(driver):
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def unlabelled_controls(driver):
    """Controls without an accessible name, from Chromium's own accessibility tree."""
    tree = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})
    roles = {"button", "textbox", "combobox", "radio", "checkbox", "link", "ListBox", "listbox", "searchbox"}
    missing = []
    for node in tree["nodes"]:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in roles:
            continue
        if not (node.get("name", {}).get("value") or "").strip():
            missing.append(role)
    return missing


def fits(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def run_command(driver, workdir, command):
    driver.find_element(By.CSS_SELECTOR, f"#exec-workdir option[value='{workdir}']").click()
    field = driver.find_element(By.ID, "exec-command")
    field.clear()
    field.send_keys(command)
    driver.find_element(By.ID, "exec-run").click()
    wait(driver, lambda d: text(d, "#exec-exit").startswith("exit "), f"the command {command!r} to finish", 120)
    return text(driver, "#exec-exit"), text(driver, "#exec-stdout") + text(driver, "#exec-stderr")


def confirm(driver, button):
    driver.find_element(By.ID, button).click()
    wait(driver, lambda d: d.find_element(By.ID, "confirm").get_attribute("open") is not None, "the confirmation dialog")
    driver.find_element(By.ID, "confirm-ok").click()


def main():
    port = int(BASE.rsplit(":", 1)[1])
    proxy = DroppingProxy(port)
    url = f"http://127.0.0.1:{proxy.port}"
    driver = browser.start()
    try:
        steps(driver, proxy, url)
    except BaseException:
        print("page text:\n" + (driver.find_element(By.TAG_NAME, "body").text if driver else ""), file=sys.stderr)
        try:
            for entry in driver.get_log("browser"):
                print("console:", entry, file=sys.stderr)
        except Exception:  # noqa: BLE001 - diagnostics only
            pass
        raise
    finally:
        driver.quit()
        proxy.close()


def steps(driver, proxy, url):
    # Sign in: a wrong token is refused in the server's words, the right one gives the list; the
    # cookie is invisible to scripts.
    driver.get(url + "/")
    wait(driver, lambda d: d.find_elements(By.ID, "token"), "the sign-in form")
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    driver.find_element(By.ID, "token").send_keys("wrong-token-0123456789", Keys.ENTER)
    wait(driver, lambda d: "invalid API token" in text(d, "#token-error"), "the sign-in error")
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(TOKEN, Keys.ENTER)
    wait(driver, lambda d: d.find_elements(By.ID, "sessions"), "the sessions list")
    assert "netclode_session" not in driver.execute_script("return document.cookie"), "the session cookie must be HttpOnly"
    assert TOKEN not in driver.current_url
    ok("sign-in")

    # A refused repository is shown by the repositories field, in the server's words.
    driver.find_element(By.ID, "new-session").click()
    wait(driver, lambda d: d.find_elements(By.ID, "create-form"), "the new-session form")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#repo-suggestions option")) >= 3, "ListRepos suggestions")
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    driver.find_element(By.ID, "repo").send_keys("outsider/secret", Keys.ENTER)
    driver.find_element(By.ID, "create").click()
    wait(driver, lambda d: "Repository not found: outsider/secret" in text(d, "#repos-error"), "the error by the repositories field")

    # Create with two demo repositories and watch both bars reach done.
    driver.find_element(By.CSS_SELECTOR, "#chosen-repos .chip-remove").click()
    driver.find_element(By.ID, "name").send_keys("browser-tour")
    for repo in ["netclode-demo/hello", "netclode-demo/widgets"]:
        driver.find_element(By.ID, "repo").send_keys(repo, Keys.ENTER)
    driver.find_element(By.CSS_SELECTOR, "label[for=access-write]").click()
    driver.find_element(By.ID, "create").click()
    wait(driver, lambda d: "#/s/" in d.current_url, "the session page")
    session_id = driver.current_url.split("#/s/")[1]
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#clones li[data-stage=done]")) == 2, "both clone bars done", 240)
    bars = driver.find_elements(By.CSS_SELECTOR, "#clones progress")
    assert [bar.get_attribute("value") for bar in bars] == ["100", "100"], [bar.get_attribute("value") for bar in bars]
    wait(driver, lambda d: text(d, "#session-status") == "ready", "status ready")
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    ok("create-and-clone")

    # The access switch: read refuses a push from the sandbox, write lets it through.
    driver.find_element(By.CSS_SELECTOR, "label[for=session-access-read]").click()
    wait(driver, lambda d: text(d, "#access-status") == "read: applied", "read applied")
    exit_line, output = run_command(driver, "netclode-demo__hello",
                                    "git commit -q --allow-empty -m 'From the browser' && git push origin HEAD:main 2>&1")
    assert exit_line != "exit 0" and "read-only session" in output, (exit_line, output)
    wait(driver, lambda d: any("refused" in e.text for e in d.find_elements(By.CSS_SELECTOR, "#events li[data-kind=git_push]")), "the refused git_push event")
    driver.find_element(By.CSS_SELECTOR, "label[for=session-access-write]").click()
    wait(driver, lambda d: text(d, "#access-status") == "write: applied", "write applied")
    exit_line, output = run_command(driver, "netclode-demo__hello", "git push origin HEAD:main 2>&1")
    assert exit_line == "exit 0", (exit_line, output)
    ok("access-switch-and-push")

    # A prompt: the agent command's output streams into the page, then how the run ended.
    driver.find_element(By.ID, "prompt").send_keys("hello from the browser")
    driver.find_element(By.ID, "prompt-run").click()
    wait(driver, lambda d: "agent got: hello from the browser" in text(d, "#prompt-output"), "the agent's first line", 120)
    wait(driver, lambda d: text(d, "#prompt-state").startswith("finished (exit 0)"), "the run finished", 120)
    assert text(driver, "#prompt-output").endswith("finished"), text(driver, "#prompt-output")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#events li[data-kind=agent_output]"), "the run's output in the history")
    ok("prompt-run")

    # The stream drops: the page says so, an event made meanwhile arrives once on reconnect.
    before = len(driver.find_elements(By.CSS_SELECTOR, "#events li"))
    proxy.drop()
    wait(driver, lambda d: "Reconnecting" in text(d, "#connection"), "the reconnecting state", 30)
    api("UpdateRepoAccess", {"sessionId": session_id, "repoAccess": "read"})
    time.sleep(2)  # stay disconnected across at least one retry
    assert "Reconnecting" in text(driver, "#connection")
    proxy.restore()
    wait(driver, lambda d: "Live" in text(d, "#connection"), "live again", 60)
    wait(driver, lambda d: any("access read" in e.text for e in d.find_elements(By.CSS_SELECTOR, "#events li[data-kind=repo_access]")[-1:]),
         "the access event made while disconnected")
    cursors = [int(e.get_attribute("data-cursor")) for e in driver.find_elements(By.CSS_SELECTOR, "#events li")]
    assert cursors == sorted(set(cursors)), f"events duplicated or out of order: {cursors}"
    assert len(cursors) > before
    wait(driver, lambda d: d.find_element(By.ID, "session-access-read").is_selected(), "the switch showing the server's level")
    ok("stream-reconnect")

    # Pause, resume, delete, each confirmed.
    confirm(driver, "pause-session")
    wait(driver, lambda d: text(d, "#session-status") == "paused", "paused", 120)
    driver.find_element(By.ID, "resume-session").click()
    wait(driver, lambda d: text(d, "#session-status") == "ready", "ready after resume", 180)
    confirm(driver, "delete-session")
    wait(driver, lambda d: d.find_elements(By.ID, "sessions"), "back on the list")
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, f"tr[data-id='{session_id}']"), "the deleted session gone from the list")
    assert api("GetSession", {"sessionId": session_id})["session"]["status"] == "deleted"
    ok("pause-resume-delete")

    # A hostile name stays text.
    name = "<img src=x onerror=alert(1)>"
    xss = api("CreateSession", {"name": name})["session"]["id"]
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"tr[data-id='{xss}'] a"), "the XSS session in the list")
    assert driver.find_element(By.CSS_SELECTOR, f"tr[data-id='{xss}'] a").text == name
    assert not driver.find_elements(By.CSS_SELECTOR, "#sessions img")
    driver.get(f"{url}/#/s/{xss}")
    wait(driver, lambda d: text(d, "#session-name") == name, "the XSS name as the page title")
    assert not driver.find_elements(By.CSS_SELECTOR, "main img") and no_alert(driver)
    ok("xss-name-is-text")

    # A phone: 375 CSS pixels wide, nothing wider than the screen, in dark mode too.
    browser.viewport(driver, 375, 812)
    browser.color_scheme(driver, "dark")
    for page, ready in [("#/", "#sessions"), ("#/new", "#create-form"), (f"#/s/{xss}", "#exec")]:
        driver.get(f"{url}/{page}")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ready), f"{page} at 375 px")
        assert driver.execute_script("return window.innerWidth") == 375
        assert fits(driver), f"{page} scrolls sideways at 375 px"
    background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 18, 22)", background
    browser.color_scheme(driver, "light")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    ok("phone-width-and-dark")

    # Keyboard only: n opens the form, Tab moves, Enter adds a repository and submits.
    driver.get(url + "/")
    wait(driver, lambda d: d.find_elements(By.ID, "sessions"), "the list")
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait(driver, lambda d: d.switch_to.active_element.get_attribute("id") == "name", "the name field focused")
    active = lambda: driver.switch_to.active_element  # noqa: E731
    active().send_keys("keyboard-only", Keys.TAB)
    assert active().get_attribute("id") == "repo"
    active().send_keys("netclode-demo/hello", Keys.ENTER)
    wait(driver, lambda d: "netclode-demo/hello" in text(d, "#chosen-repos"), "the repository added by Enter")
    for _ in range(40):
        if active().get_attribute("id") == "create":
            break
        active().send_keys(Keys.TAB)
    assert active().get_attribute("id") == "create", "Tab never reached the create button"
    active().send_keys(Keys.ENTER)
    wait(driver, lambda d: "#/s/" in d.current_url, "the keyboard-made session")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#clones li[data-stage=done]")) == 1, "its clone done", 240)
    ok("keyboard-only-creation")

    # Sign out: the cookie is gone and the server forgot it.
    driver.find_element(By.ID, "sign-out").click()
    wait(driver, lambda d: d.find_elements(By.ID, "token"), "the sign-in form again")
    driver.get(url + "/")
    wait(driver, lambda d: d.find_elements(By.ID, "token"), "still signed out after a reload")
    ok("sign-out")


if __name__ == "__main__":
    main()
