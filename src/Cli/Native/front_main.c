/*
 * The front's native entry point (CustomNativeMain in ParallelDiff.Cli.csproj).
 *
 * Commands the front hands to the engine whole (export, image, node; see Program.Run and
 * EngineHandoff) are exec'd here, before the .NET runtime starts: it starts on the first call into
 * managed code (__managed__Main), and starting it only to exec the engine was most of the front's
 * ~9 ms in a warm export. Anything else, a --help among the arguments, or an exec that fails, goes
 * to the managed front, which does what it always did (and says why the engine cannot start).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <string.h>
#include <unistd.h>

extern int __managed__Main(int argc, char **argv);

static const char engine_name[] = "paralleldiff-engine";

/* Program.Run's choice: a command the engine runs, and no help asked for after it. */
static int for_the_engine(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "export") != 0 && strcmp(argv[1], "image") != 0 && strcmp(argv[1], "node") != 0))
    {
        return 0;
    }

    for (int i = 2; i < argc; i++)
    {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
        {
            return 0;
        }
    }

    return 1;
}

int main(int argc, char **argv)
{
    if (for_the_engine(argc, argv))
    {
        /* The engine beside this executable, as EngineHandoff finds it (links resolved). */
        char engine[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", engine, sizeof engine - sizeof engine_name);
        char *slash = n > 0 ? memrchr(engine, '/', (size_t)n) : NULL;
        /* An engine built as a front would exec itself for ever: the managed front refuses it. */
        if (slash != NULL && !((size_t)(engine + n - slash - 1) == sizeof engine_name - 1 && memcmp(slash + 1, engine_name, sizeof engine_name - 1) == 0))
        {
            memcpy(slash + 1, engine_name, sizeof engine_name);
            argv[0] = engine;
            execv(engine, argv);
        }
    }

    return __managed__Main(argc, argv);
}
