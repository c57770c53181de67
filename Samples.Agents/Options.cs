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

        options:
          --algo NAME     cartpole: dqn (default) or ppo; pendulum: sac (default) or ppo
          --partial       cartpole --algo ppo: observe only x and θ (no velocities); PPO with a GRU memory (default 500000 steps)
          --no-memory     with --partial: the same PPO with feed-forward brains (the comparison)
          --seed N        seed (default 1)
          --steps N       cartpole: most training steps (default 50000); seekers: ticks (default 3000)
          --agents N      seekers: number of agents (default 256)
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
                "cartpole" or "seekers" or "moons" or "pendulum" or "pendulum-agents" or "imitate" => args[0],
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
