"""gokart's quickstart, unchanged but for the import.

It writes resources/__main__/Example_8441c59b5ce0113396d53509f19371fb.pkl, as gokart does.
"""

import kartcore as gokart


class Example(gokart.TaskOnKart[str]):
    def run(self):
        self.dump("Hello, world!")


task = Example()
output = gokart.build(task)
print(output)
