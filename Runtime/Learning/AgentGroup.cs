using System;
using System.Collections.Generic;
using System.Diagnostics;
using Cortex.Realtime;

namespace Cortex.Learning;

/// <summary>How an <see cref="AgentGroup"/> decides and learns.</summary>
public enum AgentGroupMode : byte
{
    /// <summary>Decisions from the brain alone (argmax for discrete actions, the outputs for continuous ones); no learning.</summary>
    Inference = 0,
    /// <summary>Deep Q-learning over discrete actions (<see cref="DqnLearner"/>).</summary>
    Dqn = 1,
    /// <summary>Advantage actor-critic, discrete or Gaussian (<see cref="ActorCriticLearner"/>).</summary>
    ActorCritic = 2,
}

/// <summary>
/// The agents that share one brain, stepped by the fixed-step loop (it is an <see cref="IFixedStep"/>):
/// each step closes the previous transition of every agent, starts new episodes, gathers all
/// observations into one column, answers every agent with ONE batched brain call, hands out the
/// actions, and — when learning — trains within a per-step budget. Allocates nothing per step once
/// the membership is stable.
/// </summary>
public sealed class AgentGroup : IFixedStep, IDisposable
{
    private readonly List<Agent> _agents = new();
    private readonly Brain _brain;
    private readonly DqnLearner? _dqn;
    private readonly ActorCriticLearner? _actorCritic;
    private readonly TrainingBudget _budget;
    private readonly int _targetUpdateSteps, _inputs, _actionSize;
    private readonly bool _discrete;
    private float[] _observations = Array.Empty<float>(), _previous = Array.Empty<float>(), _next = Array.Empty<float>();
    private float[] _actions = Array.Empty<float>(), _values = Array.Empty<float>(), _rewards = Array.Empty<float>();
    private int[] _actionIndices = Array.Empty<int>();
    private bool[] _terminated = Array.Empty<bool>(), _truncated = Array.Empty<bool>();
    private UpdatePacer _pacer;

    private AgentGroup(AgentGroupMode mode, Brain brain, bool discrete, DqnLearner? dqn, ActorCriticLearner? actorCritic,
        TrainingBudget budget, int targetUpdateSteps)
    {
        Mode = mode;
        _brain = brain;
        _discrete = discrete;
        _dqn = dqn;
        _actorCritic = actorCritic;
        _budget = budget;
        _targetUpdateSteps = targetUpdateSteps;
        _inputs = brain.Inputs;
        _actionSize = discrete ? 1 : brain.Outputs;
        Learning = mode != AgentGroupMode.Inference;
    }

    /// <summary>A group that only thinks with <paramref name="brain"/> (e.g. a shipped, trained brain).</summary>
    /// <param name="brain">The shared brain; the caller keeps ownership.</param>
    /// <param name="discrete">True: the action is the argmax of the outputs; false: the outputs are the action.</param>
    public static AgentGroup Inference(Brain brain, bool discrete) =>
        new(AgentGroupMode.Inference, brain ?? throw new ArgumentNullException(nameof(brain)), discrete, null, null, TrainingBudget.None, 1);

    /// <summary>A group that learns discrete actions with DQN, training within <paramref name="budget"/> each step.</summary>
    /// <param name="qNetwork">The shared Q-network (Outputs = actions); the caller keeps ownership.</param>
    /// <param name="options">DQN hyperparameters (defaults when null); its environment-step settings count agent-steps.</param>
    /// <param name="budget">Gradient steps (and/or µs) per fixed step.</param>
    /// <param name="seed">Seed of exploration and replay sampling.</param>
    /// <param name="targetUpdateSteps">Fixed steps between target-network copies (when <see cref="DqnOptions.PolyakTau"/> is 0).</param>
    public static AgentGroup WithDqn(Brain qNetwork, DqnOptions? options, TrainingBudget budget, ulong seed, int targetUpdateSteps = 100)
    {
        if (targetUpdateSteps < 1) throw new ArgumentOutOfRangeException(nameof(targetUpdateSteps), targetUpdateSteps, "targetUpdateSteps must be at least 1.");
        var learner = new DqnLearner(qNetwork, options, seed);
        return new AgentGroup(AgentGroupMode.Dqn, qNetwork, true, learner, null, budget, targetUpdateSteps);
    }

    /// <summary>A group of exactly <paramref name="agents"/> agents that learns with advantage actor-critic.</summary>
    /// <param name="actor">Policy network (linear outputs); the caller keeps ownership.</param>
    /// <param name="critic">Value network (one linear output); the caller keeps ownership.</param>
    /// <param name="agents">The group's size: A2C steps all agents together, so membership is fixed once stepping starts.</param>
    /// <param name="kind">Discrete or Gaussian actions.</param>
    /// <param name="options">Hyperparameters (defaults when null).</param>
    /// <param name="seed">Seed of action sampling.</param>
    public static AgentGroup WithActorCritic(Brain actor, Brain critic, int agents, PolicyKind kind, ActorCriticOptions? options, ulong seed)
    {
        var learner = new ActorCriticLearner(actor, critic, agents, kind, options, seed);
        return new AgentGroup(AgentGroupMode.ActorCritic, actor, kind == PolicyKind.Discrete, null, learner, TrainingBudget.None, 1);
    }

    /// <summary>How the group decides and learns.</summary>
    public AgentGroupMode Mode { get; }

    /// <summary>The shared brain (the Q-network or the actor).</summary>
    public Brain Brain => _brain;

    /// <summary>The DQN learner, in <see cref="AgentGroupMode.Dqn"/>.</summary>
    public DqnLearner? Dqn => _dqn;

    /// <summary>The actor-critic learner, in <see cref="AgentGroupMode.ActorCritic"/>.</summary>
    public ActorCriticLearner? ActorCritic => _actorCritic;

    /// <summary>The members, in row order.</summary>
    public IReadOnlyList<Agent> Agents => _agents;

    /// <summary>When false the group explores nothing, records nothing and trains nothing (evaluation).</summary>
    public bool Learning { get; set; }

    /// <summary>Fixed steps taken.</summary>
    public long Steps { get; private set; }

    /// <summary>Batched brain calls made to decide (one per step).</summary>
    public long DecisionCalls { get; private set; }

    /// <summary>Gradient steps taken by the last <see cref="Step"/>.</summary>
    public int LastUpdates { get; private set; }

    /// <summary>Episodes finished by all members.</summary>
    public long CompletedEpisodes { get; private set; }

    /// <summary>Adds an agent; its first episode begins at the next step.</summary>
    /// <param name="agent">An agent in no group.</param>
    public void Add(Agent agent)
    {
        if (agent is null) throw new ArgumentNullException(nameof(agent));
        if (agent.Group is not null) throw new ArgumentException("The agent already belongs to a group.", nameof(agent));
        if (_actorCritic is not null && _agents.Count >= _actorCritic.Agents)
        {
            throw new InvalidOperationException($"This actor-critic group holds exactly {_actorCritic.Agents} agents.");
        }
        if (_actorCritic is not null && Steps > 0) throw new InvalidOperationException("An actor-critic group's membership is fixed once it has stepped.");
        agent.Group = this;
        agent.Row = _agents.Count;
        agent.Started = false;
        agent.HasPendingAction = false;
        _agents.Add(agent);
    }

    /// <summary>Removes an agent (its unfinished transition is dropped). Not allowed for a stepping actor-critic group.</summary>
    /// <param name="agent">A member.</param>
    public bool Remove(Agent agent)
    {
        if (agent is null || agent.Group != this) return false;
        if (_actorCritic is not null && Steps > 0) throw new InvalidOperationException("An actor-critic group's membership is fixed once it has stepped.");
        _agents.RemoveAt(agent.Row);
        for (int i = agent.Row; i < _agents.Count; i++) _agents[i].Row = i;
        agent.Group = null;
        agent.Row = -1;
        return true;
    }

    /// <inheritdoc />
    void IFixedStep.FixedStep(in FixedTime time) => Step();

    /// <summary>One fixed step for every member (see the type's summary).</summary>
    public void Step()
    {
        int n = _agents.Count;
        if (n == 0) return;
        if (_actorCritic is not null && n != _actorCritic.Agents) throw new InvalidOperationException($"This actor-critic group needs exactly {_actorCritic.Agents} agents; it has {n}.");
        EnsureCapacity(n);
        bool learn = Learning && Mode != AgentGroupMode.Inference;

        // 1. Close the previous step: final observation, reward, end of episode; begin new episodes.
        for (int i = 0; i < n; i++)
        {
            Agent agent = _agents[i];
            Span<float> observation = _observations.AsSpan(i * _inputs, _inputs);
            if (!agent.Started)
            {
                BeginEpisode(agent);
                agent.CollectObservations(observation);
                _terminated[i] = _truncated[i] = false;
                _rewards[i] = 0f;
                continue;
            }
            if (!agent.HasPendingAction) continue;
            Span<float> next = _next.AsSpan(i * _inputs, _inputs);
            agent.CollectObservations(next);
            bool terminal = agent.EndRequested;
            bool cut = !terminal && (agent.TruncateRequested || (agent.MaxStep > 0 && agent.StepCount >= agent.MaxStep));
            float reward = agent.PendingReward;
            agent.PendingReward = 0f;
            _rewards[i] = reward;
            _terminated[i] = terminal;
            _truncated[i] = cut;
            if (learn && _dqn is not null)
            {
                _dqn.Record(_previous.AsSpan(i * _inputs, _inputs), _actionIndices[i], reward, next, terminal);
            }
            if (terminal || cut)
            {
                agent.LastEpisodeReward = agent.CumulativeReward;
                agent.CompletedEpisodes++;
                CompletedEpisodes++;
                BeginEpisode(agent);
                agent.CollectObservations(observation);
            }
            else
            {
                next.CopyTo(observation);
            }
        }
        // An exploring act's outcome is recorded even when learning has been switched off since: it is valid data,
        // and the learner expects it before its next exploring act.
        if (_actorCritic is not null && _actorCritic.AwaitingRecord)
        {
            _actorCritic.Record(_rewards.AsSpan(0, n), _terminated.AsSpan(0, n), _truncated.AsSpan(0, n), _next.AsSpan(0, n * _inputs));
        }

        // 2. Decide for everyone with one batched call.
        ReadOnlySpan<float> observations = _observations.AsSpan(0, n * _inputs);
        Span<float> actions = _actions.AsSpan(0, n * _actionSize);
        switch (Mode)
        {
            case AgentGroupMode.Dqn:
                _dqn!.SelectActions(observations, _values, _actionIndices, n, explore: learn);
                for (int i = 0; i < n; i++) actions[i] = _actionIndices[i];
                observations.CopyTo(_previous);                                        // s of the transitions Record closes next step
                break;
            case AgentGroupMode.ActorCritic:
                _actorCritic!.Act(observations, actions, explore: learn);
                break;
            default:
                _brain.Predict(observations, _values, n);
                if (_discrete)
                {
                    int k = _brain.Outputs;
                    for (int i = 0; i < n; i++) actions[i] = Metrics.ArgMax(_values.AsSpan(i * k, k));
                }
                else
                {
                    _values.AsSpan(0, n * _actionSize).CopyTo(actions);
                }
                break;
        }
        DecisionCalls++;

        // 3. Hand out the actions.
        for (int i = 0; i < n; i++)
        {
            Agent agent = _agents[i];
            agent.HasPendingAction = true;
            agent.StepCount++;
            agent.OnActionReceived(actions.Slice(i * _actionSize, _actionSize));
        }

        // 4. Learn within the budget (DQN; the actor-critic learner updates itself every rollout).
        LastUpdates = 0;
        if (learn && _dqn is not null && _dqn.ReadyToTrain)
        {
            _pacer.Begin(_budget, Stopwatch.GetTimestamp());
            while (_pacer.MayRun(LastUpdates))
            {
                _dqn.TrainStep();
                LastUpdates++;
                _pacer.Ran(Stopwatch.GetTimestamp());
            }
            if (_dqn.Options.PolyakTau == 0f && (Steps + 1) % _targetUpdateSteps == 0) _dqn.UpdateTarget();
        }
        Steps++;
    }

    /// <summary>Disposes the DQN target network (the brains passed in belong to the caller).</summary>
    public void Dispose() => _dqn?.Dispose();

    private void BeginEpisode(Agent agent)
    {
        agent.Started = true;
        agent.EndRequested = agent.TruncateRequested = false;
        agent.PendingReward = 0f;
        agent.CumulativeReward = 0f;
        agent.StepCount = 0;
        agent.OnEpisodeBegin();
    }

    private void EnsureCapacity(int n)
    {
        if (_rewards.Length >= n) return;
        int capacity = Math.Max(n, _rewards.Length * 2);
        Array.Resize(ref _observations, capacity * _inputs);
        Array.Resize(ref _previous, capacity * _inputs);
        Array.Resize(ref _next, capacity * _inputs);
        Array.Resize(ref _actions, capacity * _actionSize);
        Array.Resize(ref _values, capacity * Math.Max(_brain.Outputs, 1));
        Array.Resize(ref _rewards, capacity);
        Array.Resize(ref _actionIndices, capacity);
        Array.Resize(ref _terminated, capacity);
        Array.Resize(ref _truncated, capacity);
    }
}
