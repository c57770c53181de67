using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cortex.Samples.Agents;

/// <summary>Command-line options of the sample.</summary>
public sealed class Options
{
    public const string Usage = """
        usage: dotnet run -c Release --project Samples.Agents -- [scenario] [options]

        scenarios:
          cartpole   DQN (or --algo ppo) on CartPole-v1 until solved (avg return >= 475 over 100 episodes)   (default)
          pendulum   SAC (--algo sac) on Pendulum-v1 until the last 10 episodes average >= -200
          pendulum-agents  SAC on Pendulum-v1 through the Agent API (AgentGroup.WithSac), plotting per-episode statistics
          imitate    record a scripted cart-pole expert, clone it (behaviour cloning), fine-tune with PPO
          seekers    hundreds of agents sharing one brain learn online to reach moving targets
          moons      a small classifier on the two-moons data set
          delay      recall a bit after T steps: gradient norms through time, clipping, Elman RNN vs GRU per delay

        options:
          --algo NAME     cartpole: dqn (default) or ppo; pendulum: sac (default) or ppo
          --partial       cartpole --algo ppo: observe only x and θ (no velocities); PPO with a GRU memory (default 500000 steps)
          --no-memory     with --partial: the same PPO with feed-forward brains (the comparison)
          --seed N        seed (default 1)
          --steps N       cartpole: most training steps (default 50000); seekers: ticks (default 3000)
          --agents N      seekers: number of agents (default 256)
          --delays LIST   delay: increasing delays T, comma-separated (default 5,10,20,40,80,160,320); --steps: most steps per delay (default 1500)
          --lr X          delay: Adam learning rate (default 0.03)
          --lead N        delay: distractor steps before the bit (default 5; 0 puts the bit first, on a resting state)
          --threads N     CPU threads for the brain (default 1)
          --save PATH     save the trained brain to PATH
          --load PATH     start from the brain saved at PATH
          --eval          with --load: run the loaded brain without learning and report its returns
          --episodes N    evaluation episodes (default 100)
          --out DIR       folder for the PNG files (default ./out)
          --plain         plain progress lines (the default when output is redirected or CI=true)
          -h, --help      this text
        """;

    public string Scenario { get; private set; } = "cartpole";
    public ulong Seed { get; private set; } = 1;
    public string Algorithm { get; private set; } = "";
    public int? Steps { get; private set; }
    public int[]? Delays { get; private set; }
    public float? LearningRate { get; private set; }
    public int? Lead { get; private set; }
    public int Agents { get; private set; } = 256;
    public int Threads { get; private set; } = 1;
    public string? SavePath { get; private set; }
    public string? LoadPath { get; private set; }
    public bool Evaluate { get; private set; }
    public int Episodes { get; private set; } = 100;
    public string OutputDirectory { get; private set; } = "out";
    public bool Plain { get; private set; }
    public bool Partial { get; private set; }
    public bool NoMemory { get; private set; }
    public bool Help { get; private set; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a one-line reason on bad input.</summary>
    public static Options Parse(IReadOnlyList<string> args)
    {
        var o = new Options();
        int i = 0;
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            o.Scenario = args[0] switch
            {
                "cartpole" or "seekers" or "moons" or "pendulum" or "pendulum-agents" or "imitate" or "delay" => args[0],
                _ => throw new ArgumentException($"unknown scenario '{args[0]}'"),
            };
            i = 1;
        }
        for (; i < args.Count; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "-h": case "--help": o.Help = true; break;
                case "--eval": o.Evaluate = true; break;
                case "--plain": o.Plain = true; break;
                case "--partial": o.Partial = true; break;
                case "--no-memory": o.NoMemory = true; break;
                case "--seed": o.Seed = (ulong)Number(args, ref i, 0, long.MaxValue); break;
                case "--steps": o.Steps = (int)Number(args, ref i, 1, 100_000_000); break;
                case "--agents": o.Agents = (int)Number(args, ref i, 2, 100_000); break;
                case "--threads": o.Threads = (int)Number(args, ref i, 1, 256); break;
                case "--episodes": o.Episodes = (int)Number(args, ref i, 1, 100_000); break;
                case "--algo": o.Algorithm = AlgorithmName(args, ref i); break;
                case "--save": o.SavePath = Text(args, ref i); break;
                case "--load": o.LoadPath = Text(args, ref i); break;
                case "--out": o.OutputDirectory = Text(args, ref i); break;
                case "--delays": o.Delays = DelayList(args, ref i); break;
                case "--lr": o.LearningRate = Rate(args, ref i); break;
                case "--lead": o.Lead = (int)Number(args, ref i, 0, 1000); break;
                default: throw new ArgumentException($"unknown option '{a}'");
            }
        }
        if (o.Scenario == "cartpole" && o.Algorithm == "sac") throw new ArgumentException("cartpole runs dqn or ppo (sac needs continuous actions)");
        if (o.Algorithm.Length == 0) o.Algorithm = o.Scenario == "pendulum" ? "sac" : "dqn";
        if (o.Scenario == "pendulum" && o.Algorithm == "dqn") throw new ArgumentException("pendulum runs sac or ppo (dqn needs discrete actions)");
        if (o.Partial && (o.Scenario != "cartpole" || o.Algorithm != "ppo")) throw new ArgumentException("--partial runs with cartpole --algo ppo");
        if (o.NoMemory && !o.Partial) throw new ArgumentException("--no-memory goes with --partial");
        if (o.Partial && (o.LoadPath is not null || o.SavePath is not null)) throw new ArgumentException("--partial does not save or load brains");
        if (o.Evaluate && o.LoadPath is null) throw new ArgumentException("--eval needs --load PATH");
        if (o.Scenario == "moons" && (o.LoadPath is not null || o.SavePath is not null)) throw new ArgumentException("moons does not save or load brains");
        return o;
    }

    private static long Number(IReadOnlyList<string> args, ref int i, long min, long max)
    {
        string name = args[i];
        if (++i >= args.Count) throw new ArgumentException($"{name} needs a number");
        if (!long.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{args[i]}'");
        }
        return value;
    }

    private static float Rate(IReadOnlyList<string> args, ref int i)
    {
        if (++i >= args.Count || !float.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float rate) || !(rate > 0f) || rate > 10f)
        {
            throw new ArgumentException($"--lr needs a learning rate in (0, 10]{(i < args.Count ? $", not '{args[i]}'" : "")}");
        }
        return rate;
    }

    private static int[] DelayList(IReadOnlyList<string> args, ref int i)
    {
        if (++i >= args.Count) throw new ArgumentException("--delays needs a list such as 5,10,20");
        string[] parts = args[i].Split(',');
        int[] delays = new int[parts.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            if (!int.TryParse(parts[k], NumberStyles.Integer, CultureInfo.InvariantCulture, out delays[k]) || delays[k] < 1 || delays[k] > 1000 || k > 0 && delays[k] <= delays[k - 1])
            {
                throw new ArgumentException($"--delays must be increasing whole numbers from 1 to 1000, not '{args[i]}'");
            }
        }
        return delays;
    }

    private static string AlgorithmName(IReadOnlyList<string> args, ref int i)
    {
        if (++i >= args.Count) throw new ArgumentException("--algo needs a name");
        return args[i] switch
        {
            "dqn" or "ppo" or "sac" => args[i],
            _ => throw new ArgumentException($"unknown algorithm '{args[i]}' (dqn, ppo or sac)"),
        };
    }

    private static string Text(IReadOnlyList<string> args, ref int i)
    {
        string name = args[i];
        if (++i >= args.Count || args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"{name} needs a path");
        return args[i];
    }
}
