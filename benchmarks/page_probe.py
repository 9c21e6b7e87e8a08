#!/usr/bin/env python3
"""Opens the dashboard at URL in headless Chromium, as a person would, and waits for the run to end there.

Prints one JSON line once the page shows the run ended: {"updates": N, "slowest_update_ms": X}, the updates the
page drew and the longest one took, as the page timed them. Prints "opened" on a line of its own as soon as the
page has loaded, so that the caller can start the run. Talks to Chromium over its DevTools protocol
(websocket-client, from PyPI); real time, not headless Chromium's virtual time, so the timings are real.
"""
import json, os, shutil, subprocess, sys, tempfile, time, urllib.request

import websocket

url = sys.argv[1]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
profile = tempfile.mkdtemp(prefix="fanout-page-probe-")
browser = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--remote-debugging-port=0",
     f"--user-data-dir={profile}", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + 30
    while not os.path.exists(port_file) or not open(port_file).read().strip():
        if time.monotonic() > deadline or browser.poll() is not None:
            sys.exit("Chromium did not open its DevTools port")
        time.sleep(0.05)
    port = int(open(port_file).read().split()[0])
    pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
    page = next(p for p in pages if p["type"] == "page")
    socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=600)
    ids = iter(range(1, 1 << 30))

    def call(method, **params):
        message = next(ids)
        socket.send(json.dumps({"id": message, "method": method, "params": params}))
        while True:
            answer = json.loads(socket.recv())
            if answer.get("id") == message:
                return answer.get("result", {})

    def evaluate(expression):
        return call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)["result"].get("value")

    call("Page.navigate", url=url)
    # The page is open once its first update is drawn.
    evaluate("new Promise(r => { const t = setInterval(() => { if (document.body && document.body.dataset.updates) { clearInterval(t); r(true) } }, 20) })")
    # Chromium goes on starting up for a while after the first paint; a person's page has long been open when a
    # run starts, so the run is measured once that is over.
    time.sleep(2)
    print("opened", flush=True)
    evaluate("new Promise(r => { const t = setInterval(() => { if (document.body.dataset.ended) { clearInterval(t); r(true) } }, 50) })")
    figures = evaluate("({updates: Number(document.body.dataset.updates), slowest_update_ms: Number(document.body.dataset.slowestUpdateMs)})")
    print(json.dumps(figures), flush=True)
finally:
    browser.kill()
    browser.wait()
    shutil.rmtree(profile, ignore_errors=True)
