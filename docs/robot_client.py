"""A robot's loop against `kiosk serve`: listen → answer → say (README, "Local API").

Usage: python docs/robot_client.py http://127.0.0.1:8765 question1.wav [question2.wav ...]
Each WAV stands in for the robot's microphone (16 kHz mono 16-bit); each reply is written next to it
as *.reply.wav for the robot's loudspeaker. Needs `pip install websockets`. Token: $KIOSK_SERVER_TOKEN.
"""
import json, os, sys, urllib.request, wave
from websockets.sync.client import connect

base, wavs = sys.argv[1].rstrip("/"), sys.argv[2:]
auth = {"Authorization": "Bearer " + os.environ["KIOSK_SERVER_TOKEN"]} if "KIOSK_SERVER_TOKEN" in os.environ else {}
for path in wavs:                                                  # one utterance per file, one session
    with wave.open(path) as w:
        pcm = w.readframes(w.getnframes()) + bytes(2 * 16000 * 2)  # then 2 s of room silence
    with connect(base.replace("http", "ws") + "/v1/listen?session=robot-1", additional_headers=auth) as ws:
        for i in range(0, len(pcm), 3200):                        # 0.1 s frames, as a microphone gives them
            ws.send(pcm[i:i + 3200])
        ws.send(json.dumps({"type": "end"}))
        while (msg := json.loads(ws.recv()))["type"] != "end":
            if msg["type"] == "partial":
                print("  …", msg["text"])
            elif msg["type"] == "final" and msg["answer"]:
                answer = msg["answer"]
                print("heard:", msg["text"], "→", answer["status"], [r["id"] for r in answer["results"]])
                for action in answer["actions"]:
                    if action["type"] == "say":                    # the kiosk's words, in its own voice
                        body = json.dumps({"text": action["text"]}).encode()
                        req = urllib.request.Request(base + "/v1/say", body, {"Content-Type": "application/json", **auth})
                        with urllib.request.urlopen(req) as r, open(path + ".reply.wav", "wb") as out:
                            out.write(r.read())
                        print("say:", action["text"], "→", path + ".reply.wav")
