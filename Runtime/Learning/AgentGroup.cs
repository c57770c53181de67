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
    /// <summary>Proximal policy optimisation over an <see cref="ActionSpec"/> with action masks (<see cref="PpoLearner"/>).</summary>
    Ppo = 3,
    /// <summary>No brain: every agent's <see cref="Agent.Heuristic"/> decides (a scripted or human player); nothing learns.</summary>
    Heuristic = 4,
    /// <summary>Soft actor-critic over continuous actions in [−1, 1] (<see cref="SacLearner"/>).</summary>
    Sac = 5,
    /// <summary>Proximal policy optimisation with memory: GRU/RNN actor and critic (<see cref="RecurrentPpoLearner"/>).</summary>
    RecurrentPpo = 6,
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
    private readonly Brain? _brain;
    private readonly DqnLearner? _dqn;
    private readonly ActorCriticLearner? _actorCritic;
    private readonly PpoLearner? _ppo;
    private readonly SacLearner? _sac;
    private readonly RecurrentPpoLearner? _recurrentPpo;
    private EpisodeStatistics? _statistics;
    private readonly int _maskSize;
    private bool[] _masks = Array.Empty<bool>();
    private int _decisionPeriod = 1;
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

    private AgentGroup(AgentGroupMode mode, Brain? brain, PpoLearner? ppo, SacLearner? sac, int inputs, ActionSpec actions, TrainingBudget budget,
        RecurrentPpoLearner? recurrentPpo = null)
    {
        _recurrentPpo = recurrentPpo;
        Mode = mode;
        _brain = brain;
        _ppo = ppo;
        _sac = sac;
        _budget = budget;
        _targetUpdateSteps = 1;
        _inputs = inputs;
        _actionSize = actions.ActionSize;
        _maskSize = ppo is null && recurrentPpo is null ? 0 : actions.DiscreteLogits;
        Actions = actions;
        Learning = ppo is not null || sac is not null || recurrentPpo is not null;
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

    /// <summary>
    /// A group of exactly <paramref name="agents"/> agents that learns with PPO: actions follow
    /// <paramref name="actions"/> (discrete branches and/or continuous values), and each decision the group
    /// asks every agent for its action mask (<see cref="Agent.WriteActionMask"/>).
    /// </summary>
    /// <param name="actor">Policy network (Outputs = <see cref="ActionSpec.PolicyOutputs"/>); the caller keeps ownership.</param>
    /// <param name="critic">Value network; the caller keeps ownership.</param>
    /// <param name="agents">The group's size: PPO steps all agents together, so membership is fixed once stepping starts.</param>
    /// <param name="actions">The action layout.</param>
    /// <param name="options">Hyper-parameters (defaults when null).</param>
    /// <param name="seed">Seed of action sampling and minibatch shuffling.</param>
    public static AgentGroup WithPpo(Brain actor, Brain critic, int agents, ActionSpec actions, PpoOptions? options, ulong seed)
    {
        var learner = new PpoLearner(actor, critic, actions, agents, options, seed);
        return new AgentGroup(AgentGroupMode.Ppo, actor, learner, null, actor.Inputs, actions, TrainingBudget.None);
    }

    /// <summary>
    /// A PPO group (see the other overload) whose updates run on the fixed-step budget instead of inside the
    /// step that completes a rollout: the learner defers its updates (<see cref="PpoLearner.DeferUpdates"/>) and
    /// each step takes as many minibatch steps of the pending update as <paramref name="budget"/> allows
    /// (<see cref="TrainingBudget.Updates"/> counts minibatch steps: deterministic; a time budget is paced as
    /// <see cref="OnlineTrainer"/> paces its updates). Should a rollout complete before its predecessor's update
    /// has finished, that step finishes it (<see cref="PpoLearner.CatchUpSteps"/>).
    /// </summary>
    /// <param name="actor">Policy network (Outputs = <see cref="ActionSpec.PolicyOutputs"/>); the caller keeps ownership.</param>
    /// <param name="critic">Value network; the caller keeps ownership.</param>
    /// <param name="agents">The group's size, fixed once stepping starts.</param>
    /// <param name="actions">The action layout.</param>
    /// <param name="options">Hyper-parameters (defaults when null).</param>
    /// <param name="budget">Minibatch steps (and/or µs) per fixed step; at least one update.</param>
    /// <param name="seed">Seed of action sampling and minibatch shuffling.</param>
    public static AgentGroup WithPpo(Brain actor, Brain critic, int agents, ActionSpec actions, PpoOptions? options, TrainingBudget budget, ulong seed)
    {
        if (budget.MaxUpdates < 1) throw new ArgumentOutOfRangeException(nameof(budget), budget, "A PPO group's budget must allow at least one update per step.");
        var learner = new PpoLearner(actor, critic, actions, agents, options, seed) { DeferUpdates = true };
        return new AgentGroup(AgentGroupMode.Ppo, actor, learner, null, actor.Inputs, actions, budget);
    }

    /// <summary>
    /// A group of exactly <paramref name="agents"/> agents with memory that learns with recurrent PPO
    /// (<see cref="RecurrentPpoLearner"/>): each decision is one <see cref="RecurrentBrain.Think"/> of the actor and
    /// of the critic for every agent, action masks are asked as for PPO, and a member's memory is cleared when its
    /// episode ends (also while <see cref="Learning"/> is off). The group has no <see cref="Brain"/>; the networks are
    /// <see cref="RecurrentPpo"/>'s. The update runs in the step that completes a rollout.
    /// </summary>
    /// <param name="actor">Policy network (Outputs = <see cref="ActionSpec.PolicyOutputs"/>); the caller keeps ownership.</param>
    /// <param name="critic">Value network; the caller keeps ownership.</param>
    /// <param name="agents">The group's size, fixed once stepping starts.</param>
    /// <param name="actions">The action layout.</param>
    /// <param name="options">Hyper-parameters (defaults when null), sequence length and burn-in included.</param>
    /// <param name="seed">Seed of action sampling and minibatch shuffling.</param>
    public static AgentGroup WithRecurrentPpo(RecurrentBrain actor, RecurrentBrain critic, int agents, ActionSpec actions, PpoOptions? options, ulong seed)
    {
        var learner = new RecurrentPpoLearner(actor, critic, actions, agents, options, seed);
        return new AgentGroup(AgentGroupMode.RecurrentPpo, null, null, null, actor.Inputs, actions, TrainingBudget.None, learner);
    }

    /// <summary>
    /// A group of exactly <paramref name="agents"/> agents that learns continuous actions in [−1, 1] with SAC
    /// (<see cref="SacLearner"/>): one batched actor call decides for all of them, each step's transitions go to
    /// the replay buffer (an agent whose episode ended contributes its final observation as s′; a time limit
    /// bootstraps, a terminal does not), and the learner takes the gradient steps its update-to-data ratio pays for.
    /// </summary>
    /// <param name="actor">Policy network (Outputs = 2 × action size: means, then raw log σ); the caller keeps ownership.</param>
    /// <param name="critic1">First Q network (Inputs = observation + action size); the caller keeps ownership.</param>
    /// <param name="critic2">Second Q network; the caller keeps ownership.</param>
    /// <param name="agents">The group's size: SAC acts for all agents together, so membership is fixed once stepping starts.</param>
    /// <param name="options">Hyper-parameters (defaults when null).</param>
    /// <param name="seed">Seed of exploration noise and replay sampling.</param>
    public static AgentGroup WithSac(Brain actor, Brain critic1, Brain critic2, int agents, SacOptions? options, ulong seed)
    {
        var learner = new SacLearner(actor, critic1, critic2, agents, options, seed);
        return new AgentGroup(AgentGroupMode.Sac, actor, null, learner, actor.Inputs, ActionSpec.Continuous(learner.ActionSize), TrainingBudget.None);
    }

    /// <summary>
    /// A group without a brain: every agent's <see cref="Agent.Heuristic"/> decides (a scripted or human
    /// player, or testing the game without a model). Attach a <see cref="Recorder"/> to record demonstrations.
    /// </summary>
    /// <param name="observationSize">Floats each agent writes in <see cref="Agent.CollectObservations"/>.</param>
    /// <param name="actions">The action layout the heuristics write.</param>
    public static AgentGroup WithHeuristic(int observationSize, ActionSpec actions)
    {
        if (observationSize < 1) throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize, "observationSize must be at least 1.");
        return new AgentGroup(AgentGroupMode.Heuristic, null, null, null, observationSize, actions ?? throw new ArgumentNullException(nameof(actions)), TrainingBudget.None);
    }

    /// <summary>How the group decides and learns.</summary>
    public AgentGroupMode Mode { get; }

    /// <summary>The shared brain (the Q-network or the actor); a heuristic group has none and throws.</summary>
    public Brain Brain => _brain ?? throw new InvalidOperationException(_recurrentPpo is null ? "A heuristic group has no brain." : "A recurrent PPO group's networks are RecurrentPpo.Actor and RecurrentPpo.Critic.");

    /// <summary>The PPO learner, in <see cref="AgentGroupMode.Ppo"/>.</summary>
    public PpoLearner? Ppo => _ppo;

    /// <summary>The recurrent PPO learner, in <see cref="AgentGroupMode.RecurrentPpo"/>.</summary>
    public RecurrentPpoLearner? RecurrentPpo => _recurrentPpo;

    /// <summary>The SAC learner, in <see cref="AgentGroupMode.Sac"/>.</summary>
    public SacLearner? Sac => _sac;

    /// <summary>
    /// When set, every finished episode of every member is appended to it: return, length, and the custom values
    /// the agent set during the episode (<see cref="Agent.SetEpisodeValue"/>). Setting it sizes the members' value rows once.
    /// </summary>
    public EpisodeStatistics? Statistics
    {
        get => _statistics;
        set
        {
            _statistics = value;
            foreach (Agent agent in _agents) agent.EnsureEpisodeValues(value?.ValueCount ?? 0);
        }
    }

    /// <summary>The action layout of PPO, SAC and heuristic groups (null for the others, whose actions are an index or the outputs).</summary>
    public ActionSpec? Actions { get; }

    /// <summary>
    /// Decide every N fixed steps and repeat the last action in between, as ML-Agents' DecisionRequester
    /// (rewards add up over the period; an episode ended mid-period is closed at the next decision). At least 1.
    /// </summary>
    public int DecisionPeriod
    {
        get => _decisionPeriod;
        set => _decisionPeriod = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "DecisionPeriod must be at least 1.");
    }

    /// <summary>When set, every member's decisions are recorded (observation, action, reward, episode end) — e.g. while heuristics play.</summary>
    public DemonstrationRecorder? Recorder { get; set; }

    /// <summary>Raised when a member's episode ends, after <see cref="Agent.LastEpisodeReward"/> and <see cref="Agent.LastEpisodeLength"/> are set (per-episode statistics hooks).</summary>
    public event Action<Agent>? EpisodeEnded;

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
        if (_ppo is not null && (_agents.Count >= _ppo.Agents || Steps > 0)) throw new InvalidOperationException($"This PPO group holds exactly {_ppo.Agents} agents, fixed once it has stepped.");
        if (_recurrentPpo is not null && (_agents.Count >= _recurrentPpo.Agents || Steps > 0)) throw new InvalidOperationException($"This recurrent PPO group holds exactly {_recurrentPpo.Agents} agents, fixed once it has stepped.");
        if (_sac is not null && (_agents.Count >= _sac.Agents || Steps > 0)) throw new InvalidOperationException($"This SAC group holds exactly {_sac.Agents} agents, fixed once it has stepped.");
        agent.EnsureEpisodeValues(_statistics?.ValueCount ?? 0);
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
        if ((_actorCritic is not null || _ppo is not null || _sac is not null || _recurrentPpo is not null) && Steps > 0) throw new InvalidOperationException("An actor-critic, PPO or SAC group's membership is fixed once it has stepped.");
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
        if (_ppo is not null && n != _ppo.Agents) throw new InvalidOperationException($"This PPO group needs exactly {_ppo.Agents} agents; it has {n}.");
        if (_recurrentPpo is not null && n != _recurrentPpo.Agents) throw new InvalidOperationException($"This recurrent PPO group needs exactly {_recurrentPpo.Agents} agents; it has {n}.");
        if (_sac is not null && n != _sac.Agents) throw new InvalidOperationException($"This SAC group needs exactly {_sac.Agents} agents; it has {n}.");
        EnsureCapacity(n);
        bool learn = Learning && Mode is not (AgentGroupMode.Inference or AgentGroupMode.Heuristic);
        if (_decisionPeriod > 1 && Steps % _decisionPeriod != 0)
        {
            RepeatActions(n);
            LastUpdates = learn ? TrainPpo() : 0;
            Steps++;
            return;
        }

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
            Recorder?.Record(_previous.AsSpan(i * _inputs, _inputs), _actions.AsSpan(i * _actionSize, _actionSize), reward,
                terminal ? EpisodeEnd.Terminated : cut ? EpisodeEnd.Truncated : EpisodeEnd.None);
            if (terminal || cut)
            {
                agent.LastEpisodeReward = agent.CumulativeReward;
                agent.LastEpisodeLength = agent.StepCount;
                agent.CompletedEpisodes++;
                CompletedEpisodes++;
                _statistics?.Add(agent.LastEpisodeReward, agent.LastEpisodeLength, agent.EpisodeValues);
                EpisodeEnded?.Invoke(agent);
                // An exploring act's Record clears the memory itself (after bootstrapping a time limit from it).
                if (_recurrentPpo is not null && !_recurrentPpo.AwaitingRecord) _recurrentPpo.ResetMemory(i);
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
        if (_ppo is not null && _ppo.AwaitingRecord)
        {
            _ppo.Record(_rewards.AsSpan(0, n), _terminated.AsSpan(0, n), _truncated.AsSpan(0, n), _next.AsSpan(0, n * _inputs));
        }
        if (_recurrentPpo is not null && _recurrentPpo.AwaitingRecord)
        {
            _recurrentPpo.Record(_rewards.AsSpan(0, n), _terminated.AsSpan(0, n), _truncated.AsSpan(0, n), _next.AsSpan(0, n * _inputs));
        }
        int sacUpdates = 0;
        if (_sac is not null && _sac.AwaitingRecord)
        {
            sacUpdates = _sac.Record(_rewards.AsSpan(0, n), _next.AsSpan(0, n * _inputs), _terminated.AsSpan(0, n));
        }

        // 2. Decide for everyone with one batched call.
        ReadOnlySpan<float> observations = _observations.AsSpan(0, n * _inputs);
        Span<float> actions = _actions.AsSpan(0, n * _actionSize);
        switch (Mode)
        {
            case AgentGroupMode.Dqn:
                _dqn!.SelectActions(observations, _values, _actionIndices, n, explore: learn);
                for (int i = 0; i < n; i++) actions[i] = _actionIndices[i];
                break;
            case AgentGroupMode.ActorCritic:
                _actorCritic!.Act(observations, actions, explore: learn);
                break;
            case AgentGroupMode.Ppo:
            case AgentGroupMode.RecurrentPpo:
                Span<bool> masks = default;
                if (_maskSize > 0)
                {
                    masks = _masks.AsSpan(0, n * _maskSize);
                    masks.Clear();
                    for (int i = 0; i < n; i++) _agents[i].WriteActionMask(masks.Slice(i * _maskSize, _maskSize));
                }
                if (_ppo is not null) _ppo.Act(observations, actions, masks, explore: learn);
                else _recurrentPpo!.Act(observations, actions, masks, explore: learn);
                break;
            case AgentGroupMode.Sac:
                _sac!.Act(observations, actions, explore: learn);
                break;
            case AgentGroupMode.Heuristic:
                actions.Clear();
                for (int i = 0; i < n; i++) _agents[i].Heuristic(actions.Slice(i * _actionSize, _actionSize));
                break;
            default:
                _brain!.Predict(observations, _values, n);
                if (_discrete)
                {
                    int k = _brain!.Outputs;
                    for (int i = 0; i < n; i++) actions[i] = Metrics.ArgMax(_values.AsSpan(i * k, k));
                }
                else
                {
                    _values.AsSpan(0, n * _actionSize).CopyTo(actions);
                }
                break;
        }
        observations.CopyTo(_previous);                                            // s of the transitions the next decision closes
        DecisionCalls++;

        // 3. Hand out the actions.
        for (int i = 0; i < n; i++)
        {
            Agent agent = _agents[i];
            agent.HasPendingAction = true;
            agent.StepCount++;
            agent.OnActionReceived(actions.Slice(i * _actionSize, _actionSize));
        }

        // 4. Learn within the budget (DQN, budgeted PPO; the actor-critic learner updates itself every rollout, SAC per transition).
        LastUpdates = sacUpdates + (learn ? TrainPpo() : 0);
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

    /// <summary>Disposes the DQN and SAC target networks (the brains passed in belong to the caller).</summary>
    public void Dispose()
    {
        _dqn?.Dispose();
        _sac?.Dispose();
    }

    /// <summary>Minibatch steps of a deferred PPO update within the budget; returns how many ran.</summary>
    private int TrainPpo()
    {
        if (_ppo is null || !_ppo.UpdatePending || _budget.MaxUpdates < 1) return 0;
        int done = 0;
        _pacer.Begin(_budget, Stopwatch.GetTimestamp());
        while (_ppo.UpdatePending && _pacer.MayRun(done))
        {
            _ppo.TrainStep();
            done++;
            _pacer.Ran(Stopwatch.GetTimestamp());
        }
        return done;
    }

    private void RepeatActions(int n)
    {
        for (int i = 0; i < n; i++)
        {
            Agent agent = _agents[i];
            if (!agent.HasPendingAction || agent.EndRequested || agent.TruncateRequested) continue;
            agent.OnActionReceived(_actions.AsSpan(i * _actionSize, _actionSize));
        }
    }

    private void BeginEpisode(Agent agent)
    {
        agent.Started = true;
        agent.EndRequested = agent.TruncateRequested = false;
        agent.PendingReward = 0f;
        agent.CumulativeReward = 0f;
        agent.StepCount = 0;
        agent.EpisodeValues.AsSpan().Clear();
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
        Array.Resize(ref _values, capacity * Math.Max(_brain?.Outputs ?? 1, 1));
        Array.Resize(ref _masks, capacity * _maskSize);
        Array.Resize(ref _rewards, capacity);
        Array.Resize(ref _actionIndices, capacity);
        Array.Resize(ref _terminated, capacity);
        Array.Resize(ref _truncated, capacity);
    }
}
