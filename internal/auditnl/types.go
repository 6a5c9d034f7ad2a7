package auditnl

import "golang.org/x/sys/unix"

// Record types this package interprets.
const (
	TypeSyscall   uint16 = unix.AUDIT_SYSCALL   // 1300: the syscall, its result and the task
	TypePath      uint16 = unix.AUDIT_PATH      // 1302: one per file name the syscall resolved
	TypeSockaddr  uint16 = unix.AUDIT_SOCKADDR  // 1306: the address connect/bind/sendto was given
	TypeCWD       uint16 = unix.AUDIT_CWD       // 1307: the working directory for relative paths
	TypeExecve    uint16 = unix.AUDIT_EXECVE    // 1309: execve arguments, possibly over several records
	TypeEOE       uint16 = unix.AUDIT_EOE       // 1320: end of a multi-record syscall event
	TypeProctitle uint16 = unix.AUDIT_PROCTITLE // 1327: the task's command line
)

// typeNames are the names auditd writes in its log for each record type
// (libaudit's type table): the kernel's syscall-event range, the daemon's
// own records and the common user-space ones.
var typeNames = map[uint16]string{
	1005: "USER", 1006: "LOGIN",
	1100: "USER_AUTH", 1101: "USER_ACCT", 1102: "USER_MGMT", 1103: "CRED_ACQ",
	1104: "CRED_DISP", 1105: "USER_START", 1106: "USER_END", 1107: "USER_AVC",
	1108: "USER_CHAUTHTOK", 1109: "USER_ERR", 1110: "CRED_REFR", 1111: "USYS_CONFIG",
	1112: "USER_LOGIN", 1113: "USER_LOGOUT", 1123: "USER_CMD", 1130: "SERVICE_START",
	1131: "SERVICE_STOP",
	1200: "DAEMON_START", 1201: "DAEMON_END", 1202: "DAEMON_ABORT", 1203: "DAEMON_CONFIG",
	1204: "DAEMON_RECONFIG", 1205: "DAEMON_ROTATE", 1206: "DAEMON_RESUME",
	1207: "DAEMON_ACCEPT", 1208: "DAEMON_CLOSE", 1209: "DAEMON_ERR",
	1300: "SYSCALL", 1302: "PATH", 1303: "IPC", 1304: "SOCKETCALL", 1305: "CONFIG_CHANGE",
	1306: "SOCKADDR", 1307: "CWD", 1309: "EXECVE", 1311: "IPC_SET_PERM", 1312: "MQ_OPEN",
	1313: "MQ_SENDRECV", 1314: "MQ_NOTIFY", 1315: "MQ_GETSETATTR", 1316: "KERNEL_OTHER",
	1317: "FD_PAIR", 1318: "OBJ_PID", 1319: "TTY", 1320: "EOE", 1321: "BPRM_FCAPS",
	1322: "CAPSET", 1323: "MMAP", 1324: "NETFILTER_PKT", 1325: "NETFILTER_CFG",
	1326: "SECCOMP", 1327: "PROCTITLE", 1328: "FEATURE_CHANGE", 1329: "REPLACE",
	1330: "KERN_MODULE", 1331: "FANOTIFY", 1332: "TIME_INJOFFSET", 1333: "TIME_ADJNTPVAL",
	1334: "BPF", 1335: "EVENT_LISTENER", 1336: "URINGOP", 1337: "OPENAT2",
	1400: "AVC", 1401: "SELINUX_ERR", 1402: "AVC_PATH", 1403: "MAC_POLICY_LOAD",
	1404: "MAC_STATUS", 1405: "MAC_CONFIG_CHANGE",
	1700: "ANOM_PROMISCUOUS", 1701: "ANOM_ABEND", 1702: "ANOM_LINK", 1703: "ANOM_CREAT",
	2000: "KERNEL",
}
