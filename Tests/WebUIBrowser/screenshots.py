"""Screenshots of the web UI's main screens, against a running `netclode dev`, into docs/.

Usage (in the repository root, with `netclode dev` running there):
    python Tests/WebUIBrowser/screenshots.py [.netclode-dev/dev.json]
Needs Debian's chromium and chromium-driver and Selenium (Tests/WebUIBrowser/requirements.txt).
Creates a session `screenshot-tour` with the two demo repositories if there is none. Start
`netclode dev` with NETCLODE_AGENT_COMMAND set for a prompt's output in webui-prompt.png, e.g.
    NETCLODE_AGENT_COMMAND='["sh","-c","echo \\"Reading the repository for: $1\\"; sleep 1; echo Done.","agent","{prompt}"]'"""
import json
import os
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import browser
import devinfo

BASE, TOKEN = devinfo.from_argv()
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def api(method, body):
    request = urllib.request.Request(f"{BASE}/netclode.v1.SessionService/{method}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def wait(driver, condition, timeout=180):
    WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: condition(d))


def shoot(driver, name, top=True):
    if top:
        driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    path = os.path.normpath(os.path.join(DOCS, name))
    driver.save_screenshot(path)
    print(path)


def main():
    sessions = api("ListSessions", {}).get("sessions", [])
    tour = next((s for s in sessions if s.get("name") == "screenshot-tour"), None)
    if tour is None:
        tour = api("CreateSession", {"name": "screenshot-tour", "repos": ["netclode-demo/hello", "netclode-demo/widgets"], "repoAccess": "write"})["session"]
        api("CreateSession", {"name": "docs-fix", "repos": ["netclode-demo/hello"]})
    driver = browser.start(1280, 1100)
    try:
        driver.get(BASE + "/")
        wait(driver, lambda d: d.find_elements(By.ID, "token"))
        shoot(driver, "webui-sign-in.png")
        driver.find_element(By.ID, "token").send_keys(TOKEN + "\n")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#session-rows tr"))
        shoot(driver, "webui-sessions.png")
        driver.get(BASE + "/#/new")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#repo-suggestions option")) > 0)
        driver.find_element(By.ID, "name").send_keys("my-feature")
        driver.find_element(By.ID, "repo").send_keys("netclode-demo/hello\n")
        driver.find_element(By.ID, "repo").send_keys("outsider/secret\n")
        driver.find_element(By.ID, "create").click()
        wait(driver, lambda d: d.find_element(By.ID, "repos-error").text)
        shoot(driver, "webui-new-session.png", top=False)
        driver.get(f"{BASE}/#/s/{tour['id']}")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#clones li[data-stage=done]")) == 2)
        driver.find_element(By.CSS_SELECTOR, "#exec-workdir option[value='netclode-demo__hello']").click()
        driver.find_element(By.ID, "exec-command").send_keys("git log --oneline -3")
        driver.find_element(By.ID, "exec-run").click()
        wait(driver, lambda d: d.find_element(By.ID, "exec-exit").text.startswith("exit "))
        shoot(driver, "webui-session.png")
        # The prompt box, when the server has an agent command (NETCLODE_AGENT_COMMAND).
        driver.find_element(By.ID, "prompt").send_keys("add a usage section to the README")
        driver.find_element(By.ID, "prompt-run").click()
        wait(driver, lambda d: d.find_element(By.ID, "prompt-state").text.startswith(("finished", "failed", "invalid", "failed_precondition")))
        driver.execute_script("document.getElementById('prompt-form').scrollIntoView()")
        shoot(driver, "webui-prompt.png", top=False)
        browser.viewport(driver, 375, 812)
        browser.color_scheme(driver, "dark")
        driver.get(f"{BASE}/#/s/{tour['id']}")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#clones li[data-stage=done]")) == 2)
        shoot(driver, "webui-session-phone-dark.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
