import cProfile, time
_pr = cProfile.Profile(); _t = time.perf_counter(); _pr.enable()
exec(compile(open("/work/main/app.py").read(), "/work/main/app.py", "exec"))
_pr.disable(); _pr.dump_stats("/tmp/app_thread.prof"); print("script", time.perf_counter() - _t)
