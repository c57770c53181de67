using System;
using Spectre.Console;

namespace Cortex.Samples.Agents;

/// <summary>Entry point: parses the command line and runs a scenario.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }
        bool live = !options.Plain && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") != "true";
        try
        {
            return options.Scenario switch
            {
                "moons" => MoonsDemo.Run(Console.Out),
                "seekers" => RunSeekers(options, live),
                "pendulum" => options.Algorithm == "ppo" ? PendulumPpo.Run(options, live) : PendulumSac.Run(options, live),
                "pendulum-agents" => PendulumAgents.Run(options, live),
                "imitate" => Imitate.Run(options),
                _ => RunCartPole(options, live),
            };
        }
        catch (SampleException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>Checks every path the run will write before it starts training.</summary>
    private static void CheckPaths(Options options, bool saves)
    {
        SamplePaths.CheckOutputDirectory(options.OutputDirectory);
        if (saves && options.SavePath is not null) SamplePaths.CheckSavePath(options.SavePath);
    }

    private static int RunCartPole(Options options, bool live)
    {
        if (options.Partial)
        {
            CheckPaths(options, saves: false);
            return CartPolePartial.Run(options, live);
        }
        if (options.Algorithm == "ppo") return CartPolePpo.Run(options, live);
        var settings = new CartPoleSettings { Seed = options.Seed, Threads = options.Threads, EvaluationEpisodes = options.Episodes };
        if (options.Steps is int steps) settings.MaxEnvironmentSteps = steps;
        if (!options.Evaluate) CheckPaths(options, saves: true);
        using Brain brain = BrainFiles.LoadOrCreate(options.LoadPath, () => CartPoleRun.CreateBrain(settings), CartPole.ObservationSize, CartPole.ActionCount);
        if (options.Evaluate)
        {
            float average = CartPoleRun.Evaluate(brain, options.Episodes, seed: options.Seed * 1_000_003);
            Console.WriteLine($"cartpole: evaluation of {options.LoadPath}: average return {average:F1} over {options.Episodes} episodes");
            return 0;
        }
        Console.WriteLine($"cartpole: DQN, {brain.Spec}, seed {options.Seed}, at most {settings.MaxEnvironmentSteps} steps");
        CartPoleResult result = Progress.Run(live, "cartpole", report => CartPoleRun.Train(settings, brain, p => report(
            $"step {p.Step,6}  episode {p.Episode,4}  train avg100 {p.TrainingAverage100,6:F1}  eval avg100 {p.EvaluationAverage,6:F1}  loss {p.Loss,7:F4}  ε {p.Epsilon:F3}  {p.StepsPerSecond,6:F0} steps/s",
            new[] { ("step", $"{p.Step}"), ("episode", $"{p.Episode}"), ("training avg100 (exploring)", $"{p.TrainingAverage100:F1}"),
                ("greedy eval avg100", $"{p.EvaluationAverage:F1}"), ("loss", $"{p.Loss:F4}"), ("ε", $"{p.Epsilon:F3}"), ("steps/s", $"{p.StepsPerSecond:F0}") })));
        if (options.SavePath is not null) Console.WriteLine($"saved: {BrainFiles.Save(brain, options.SavePath, $"cartpole seed {options.Seed}")}");
        Console.WriteLine($"learning curve: {SamplePaths.Write("learning curve", () => Plots.CartPoleCurve(result, options.OutputDirectory, options.Seed))}");
        Console.WriteLine(result.Solved
            ? $"cartpole: solved at step {result.SolvedAtStep} (avg100 = {result.EvaluationAverage:F1}) in {result.Seconds:F1} s"
            : $"cartpole: NOT solved within {result.EnvironmentSteps} steps (best avg100 = {result.BestEvaluationAverage:F1}) in {result.Seconds:F1} s");
        return result.Solved ? 0 : 1;
    }

    private static int RunSeekers(Options options, bool live)
    {
        var settings = new SeekersSettings { Seed = options.Seed, Threads = options.Threads, Agents = options.Agents };
        if (options.Steps is int steps) settings.Ticks = steps;
        CheckPaths(options, saves: !options.Evaluate);
        using Brain brain = BrainFiles.LoadOrCreate(options.LoadPath, () => SeekersRun.CreateBrain(settings), SeekerObservation.Size, SeekerActionValues.Size);
        bool learn = !options.Evaluate;
        Console.WriteLine($"seekers: {settings.Agents} agents, {settings.Targets} targets, {brain.Spec}, seed {options.Seed}, {settings.Ticks} ticks{(learn ? "" : ", evaluation only")}");
        SeekersResult result = Progress.Run(live, "seekers", report => SeekersRun.Train(settings, brain, learn, p => report(
            $"tick {p.Tick,6}  reward/agent-tick {p.RewardPerAgentTick,8:F4}  reached/agent/1000 ticks {p.ReachedPerAgentPer1000Ticks,6:F2}  collisions/agent-tick {p.CollisionsPerAgentTick:F4}  loss {p.Loss:F4}",
            new[] { ("tick", $"{p.Tick}"), ("reward per agent-tick", $"{p.RewardPerAgentTick:F4}"), ("targets reached per agent per 1000 ticks", $"{p.ReachedPerAgentPer1000Ticks:F2}"),
                ("collisions per agent-tick", $"{p.CollisionsPerAgentTick:F4}"), ("loss", $"{p.Loss:F4}") })));
        if (options.SavePath is not null && learn) Console.WriteLine($"saved: {BrainFiles.Save(brain, options.SavePath, $"seekers seed {options.Seed}")}");
        Console.WriteLine($"learning curve: {SamplePaths.Write("learning curve", () => Plots.SeekersCurve(result, options.OutputDirectory, options.Seed))}");
        Console.WriteLine($"arena: {SamplePaths.Write("arena snapshot", () => Plots.SeekersArena(result.Arena, options.OutputDirectory, options.Seed))}");
        SeekersPoint first = result.Curve[0], last = result.Curve[result.Curve.Count - 1];
        Console.WriteLine($"seekers: reward per agent-tick {first.RewardPerAgentTick:F4} -> {last.RewardPerAgentTick:F4}, targets reached per agent per 1000 ticks {first.ReachedPerAgentPer1000Ticks:F2} -> {last.ReachedPerAgentPer1000Ticks:F2}, {result.Ticks} ticks in {result.Seconds:F1} s");
        return 0;
    }
}

/// <summary>A problem the sample reports in one line (exit code 2), e.g. a missing or corrupt brain file.</summary>
public sealed class SampleException : Exception
{
    public SampleException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A live Spectre.Console table when the output is a terminal; plain lines otherwise.</summary>
public static class Progress
{
    public delegate void Report(string line, (string Name, string Value)[] fields);

    public static T Run<T>(bool live, string title, Func<Report, T> work)
    {
        if (!live) return work((line, _) => Console.WriteLine(line));
        var table = new Table().Border(TableBorder.Rounded).Title(title).AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        T result = default!;
        AnsiConsole.Live(table).AutoClear(false).Start(context =>
        {
            result = work((_, fields) =>
            {
                table.Rows.Clear();
                foreach ((string name, string value) in fields) table.AddRow(Markup.Escape(name), Markup.Escape(value));
                context.Refresh();
            });
        });
        return result;
    }
}
