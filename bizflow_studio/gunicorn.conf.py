"""gunicorn's settings for ``scripts/serve.sh web``, from the environment (README, "Production").

WEB_CONCURRENCY     worker processes (default 2 per CPU core, at least 2)
WEB_THREADS         threads per worker process (default 1)
WEB_TIMEOUT         seconds a request may take before its worker is restarted (default 60)
WEB_GRACEFUL_TIMEOUT  seconds given to requests in flight on a restart or stop (default 30)
WEB_KEEPALIVE       seconds an idle keep-alive connection is held (default 5; behind a load balancer,
                    set it above the balancer's idle timeout)
HOST, PORT          where to listen (default 0.0.0.0:8000)

gunicorn's own records (its error log and one access line per request) go through the app's logging,
so LOG_FORMAT=json applies to them too.
"""

import os

from bizflow_studio.env import env_int, env_str
from bizflow_studio.logs import logging_config

bind = f"{env_str('HOST', '0.0.0.0')}:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", max(2, 2 * (os.cpu_count() or 1)))
threads = env_int("WEB_THREADS", 1)
timeout = env_int("WEB_TIMEOUT", 60)
graceful_timeout = env_int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("WEB_KEEPALIVE", 5)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
logconfig_dict = logging_config(env_str("LOG_FORMAT", "plain"), env_str("LOG_LEVEL", "INFO"))
# No control socket: it sits at one path per user, which several servers on a machine would share.
control_socket_disable = True
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1")
